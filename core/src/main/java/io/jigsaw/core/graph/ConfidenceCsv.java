package io.jigsaw.core.graph;

import io.jigsaw.core.input.CsvFile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code confidence.csv}: how sure each labelled variant was, sample by sample, on the synthetic
 * scenes' validation split, and whether it was right — {@code task,variant,sample,top_score,correct}.
 * `bin/jigsaw models` writes it beside the models; the planner picks a cascade's threshold from it
 * (a threshold is chosen on validation data, never on the test split the accuracies are reported on).
 */
public final class ConfidenceCsv {

    public static final String FILE = "confidence.csv";
    public static final String HEADER = "task,variant,sample,top_score,correct";

    /** One variant's answer on one validation sample. */
    public record Row(String task, String variant, int sample, double topScore, boolean correct) {
    }

    private ConfidenceCsv() {
    }

    public static List<Row> read(Path file) {
        List<Row> rows = new ArrayList<>();
        for (CsvFile.NamedRow r : CsvFile.withHeader(file).rows(HEADER.split(","))) {
            double s = r.number("top_score");
            if (!(s >= 0 && s <= 1)) {
                throw r.error("top_score must be a probability in [0, 1], found " + s);
            }
            int c = r.integer("correct");
            if (c != 0 && c != 1) {
                throw r.error("correct must be 0 or 1, found " + c);
            }
            rows.add(new Row(r.cell("task"), r.cell("variant"), r.integer("sample"), s, c == 1));
        }
        return rows;
    }

    public static void write(Path file, List<Row> rows) {
        List<String> lines = new ArrayList<>(List.of(HEADER));
        rows.forEach(r -> lines.add(String.format(Locale.ROOT, "%s,%s,%d,%.5f,%d", r.task(), r.variant(), r.sample(), r.topScore(),
                r.correct() ? 1 : 0)));
        try {
            Files.write(file, lines);
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + file, e);
        }
    }

    /** The graph's: beside the models that will serve, else beside the graph (a recorded run's), as for accuracy.csv. */
    public static Optional<Path> locate(Graph graph) {
        return YamlGraphReader.recorded(graph.sourceFile() == null ? null : Path.of(graph.sourceFile()), graph.modelsDir().orElse(null), FILE);
    }
}
