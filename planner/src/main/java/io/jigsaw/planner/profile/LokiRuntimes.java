package io.jigsaw.planner.profile;

import io.jigsaw.core.input.CsvFile;
import io.jigsaw.core.input.InputException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Loki's {@code runtimes.csv} ({@code ,Model,Accel,batchsize,avg_runtime,50th_pct,90th_pct,95th_pct}):
 * whole-device batch latencies per accelerator. We take {@code 50th_pct} as p50 and {@code 95th_pct},
 * the highest percentile Loki measured, as the tail. Every row is a whole device (share 100).
 */
public final class LokiRuntimes {

    public static final String DEFAULT_DEVICE = "onnxruntime_gpu_ampere";

    private LokiRuntimes() {
    }

    // Looks its columns up by name like ProfileCsv does: two formats of the same rows, kept apart so each
    // error names its own format's columns.
    public static List<ProfileRow> read(Path file, String device) {
        CsvFile csv = CsvFile.withHeader(file);
        int model = csv.column("Model");
        int accel = csv.column("Accel");
        int batch = csv.column("batchsize");
        int p50 = csv.column("50th_pct");
        int p95 = csv.column("95th_pct");
        List<ProfileRow> rows = new ArrayList<>();
        TreeSet<String> devices = new TreeSet<>();
        for (CsvFile.Row row : csv.rows()) {
            String d = row.cell(accel, "Accel");
            devices.add(d);
            if (!d.equals(device)) {
                continue;
            }
            int b = row.integer(batch, "batchsize");
            double fast = row.number(p50, "50th_pct");
            double slow = Math.max(fast, row.number(p95, "95th_pct"));
            if (b < 1 || !(fast > 0)) {
                throw InputException.atLine(file, row.line(), "expected batchsize >= 1 and 50th_pct > 0, found " + b + " and " + fast);
            }
            rows.add(new ProfileRow(row.cell(model, "Model"), d, 100.0, b, fast, slow, ProfileRow.Source.MEASURED));
        }
        if (rows.isEmpty()) {
            throw new InputException(file, "", "no rows for device '" + device + "'; devices in the file: " + devices);
        }
        return rows;
    }
}
