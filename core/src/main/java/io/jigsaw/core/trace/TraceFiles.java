package io.jigsaw.core.trace;

import io.jigsaw.core.input.CsvFile;
import io.jigsaw.core.input.InputException;
import io.jigsaw.core.stats.DoubleSeries;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The trace files people bring: a CSV of arrivals ({@code timestamp_ms[,graph]}; absolute or
 * relative times, rebased so the first arrival is at 0; any order) or an Azure-Functions-style CSV of
 * per-minute invocation counts ({@code HashOwner,HashApp,HashFunction,Trigger,1,2,...}; all rows are
 * summed per minute and each minute's count is spread uniformly at random over its 60 s, seeded).
 */
public final class TraceFiles {

    private TraceFiles() {
    }

    /** @param spec a trace file, or a synthetic spec ({@link SyntheticTrace}) */
    public static Trace open(String spec) {
        if (SyntheticTrace.isSpec(spec)) {
            return SyntheticTrace.generate(spec);
        }
        Path file = Path.of(spec);
        if (!Files.isRegularFile(file)) {
            throw new InputException(spec, "", "no such trace file, and not a synthetic spec (poisson:rate=R,duration=S[,seed=N],"
                    + " gamma:rate=R,cv2=C,duration=S, step:rate=R,factor=F,at=S,until=S,duration=S,"
                    + " spike:rate=R,factor=F,at=S,length=S,duration=S)", null);
        }
        CsvFile csv = CsvFile.withHeader(file);
        if (csv.hasColumn("timestamp_ms")) {
            return arrivals(csv);
        }
        if (csv.hasColumn("HashFunction") && csv.hasColumn("1")) {
            return azureCounts(csv, 1);
        }
        throw InputException.atLine(file, 1, "unknown trace format: expected a header 'timestamp_ms[,graph]' or Azure's"
                + " 'HashOwner,HashApp,HashFunction,Trigger,1,2,...', found " + csv.header());
    }

    private record Arrival(double atMs, String graph) {
    }

    static Trace arrivals(CsvFile csv) {
        int at = csv.column("timestamp_ms");
        int graph = csv.hasColumn("graph") ? csv.column("graph") : -1;
        List<Arrival> list = new ArrayList<>(csv.rows().size());
        for (CsvFile.Row row : csv.rows()) {
            double t = row.number(at, "timestamp_ms");
            if (!(t >= 0) || Double.isInfinite(t)) {
                throw InputException.atLine(csv.file(), row.line(), "timestamp_ms must be a finite number >= 0, found " + t);
            }
            String g = graph >= 0 ? row.cell(graph, "graph").trim() : null;
            if (g != null && g.isEmpty()) {
                throw InputException.atLine(csv.file(), row.line(), "empty graph name");
            }
            list.add(new Arrival(t, g));
        }
        list.sort(Comparator.comparingDouble(Arrival::atMs));
        double first = list.isEmpty() ? 0 : list.get(0).atMs();
        double[] times = new double[list.size()];
        String[] graphs = graph >= 0 ? new String[list.size()] : null;
        for (int i = 0; i < times.length; i++) {
            times[i] = list.get(i).atMs() - first;
            if (graphs != null) {
                graphs[i] = list.get(i).graph();
            }
        }
        return new Trace(csv.file().toString(), times, graphs);
    }

    static Trace azureCounts(CsvFile csv, long seed) {
        List<Integer> minuteColumns = new ArrayList<>();
        for (int m = 1; csv.hasColumn(Integer.toString(m)); m++) {
            minuteColumns.add(csv.column(Integer.toString(m)));
        }
        long[] perMinute = new long[minuteColumns.size()];
        for (CsvFile.Row row : csv.rows()) {
            for (int m = 0; m < perMinute.length; m++) {
                int count = row.integer(minuteColumns.get(m), Integer.toString(m + 1));
                if (count < 0) {
                    throw InputException.atLine(csv.file(), row.line(), "column '" + (m + 1) + "': a count must be >= 0, found " + count);
                }
                perMinute[m] += count;
            }
        }
        SplittableRandom random = new SplittableRandom(seed);
        DoubleSeries out = new DoubleSeries();
        for (int m = 0; m < perMinute.length; m++) {
            double[] minute = new double[(int) perMinute[m]];
            for (int i = 0; i < minute.length; i++) {
                minute[i] = (m + random.nextDouble()) * 60_000;
            }
            Arrays.sort(minute);
            for (double t : minute) {
                out.add(t);
            }
        }
        return new Trace(csv.file().toString(), out.toArray(), null);
    }
}
