package io.jigsaw.core.graph;

import io.jigsaw.core.input.CsvFile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code accuracy.csv}: each variant's accuracy as `bin/jigsaw models` measured it on the synthetic
 * scenes' test split, with the metric used — {@code task,variant,accuracy,metric,source,samples,train_s}.
 * The graph loader takes a variant's accuracy from here when the graph declares none.
 */
public final class AccuracyCsv {

    public static final String FILE = "accuracy.csv";
    public static final String HEADER = "task,variant,accuracy,metric,source,samples,train_s";

    /** One measured variant. */
    public record Row(String task, String variant, double accuracy, String metric, String source, int samples, double trainSeconds) {
    }

    private AccuracyCsv() {
    }

    public static List<Row> read(Path file) {
        List<Row> rows = new ArrayList<>();
        for (CsvFile.NamedRow r : CsvFile.withHeader(file).rows(HEADER.split(","))) {
            double a = r.number("accuracy");
            if (!(a >= 0 && a <= 1)) {
                throw r.error("accuracy must be a fraction in [0, 1], found " + a);
            }
            rows.add(new Row(r.cell("task"), r.cell("variant"), a, r.cell("metric"), r.cell("source"), r.integer("samples"),
                    r.number("train_s")));
        }
        return rows;
    }

    /** Writes the rows, keeping those of the file already there for variants not among them. */
    public static void merge(Path file, List<Row> measured) {
        Map<String, Row> all = new LinkedHashMap<>();
        if (Files.exists(file)) {
            read(file).forEach(r -> all.put(r.task() + "/" + r.variant(), r));
        }
        measured.forEach(r -> all.put(r.task() + "/" + r.variant(), r));
        List<String> lines = new ArrayList<>(List.of(HEADER));
        all.values().forEach(r -> lines.add(String.format(Locale.ROOT, "%s,%s,%.4f,%s,%s,%d,%.1f", r.task(), r.variant(), r.accuracy(),
                r.metric().replace(',', ';'), r.source(), r.samples(), r.trainSeconds())));
        try {
            Files.write(file, lines);
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + file, e);
        }
    }
}
