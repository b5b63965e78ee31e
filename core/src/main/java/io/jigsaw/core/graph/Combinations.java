package io.jigsaw.core.graph;

import io.jigsaw.core.input.CsvFile;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The accuracy of every combination of variants, measured end to end ({@code combinations.csv},
 * written by `bin/jigsaw models` beside {@code accuracy.csv}): the validation scenes run through the
 * pipeline the job runs with one variant per task, scored as the live scorer scores. Per combination
 * the end-to-end accuracy (per path the product of its tasks' scores, mean over paths and scenes) and
 * each scored task's mean score, in its metric's own units.
 *
 * <p>Columns: one per task (its variant), {@code end_to_end}, {@code <task>_score} per scored task
 * (empty where the task was never scored), {@code scenes}.
 *
 * @param tasks the graph's tasks, in its order
 * @param variants per task, its variants in the graph's order
 * @param endToEnd per combination, indexed in mixed radix (the first task's variant most significant)
 * @param taskScores per combination, per task its mean score (NaN: not scored)
 * @param scenes the scenes each combination was measured on
 * @param live how many combinations' end-to-end accuracy was replaced by the one measured live (the sidecar's
 *     {@code --accuracy-source measured}); 0 for the file's
 */
public record Combinations(List<String> tasks, List<List<String>> variants, double[] endToEnd, double[][] taskScores, int scenes,
        int live) implements Serializable {

    /** Telemetry's task name for the result assembler's end-to-end scores per combination (the variant field holds {@link #key}). */
    public static final String TELEMETRY_TASK = "end-to-end";

    public Combinations(List<String> tasks, List<List<String>> variants, double[] endToEnd, double[][] taskScores, int scenes) {
        this(tasks, variants, endToEnd, taskScores, scenes, 0);
    }

    /** A combination as one string, its variants in task order: "detect-l+classify-m+depth-l+fuse-l". */
    public static String key(List<String> combination) {
        return String.join("+", combination);
    }

    /** The same combinations with some end-to-end accuracies measured live in place of the file's (index → accuracy). */
    public Combinations withLive(Map<Integer, Double> measured) {
        double[] e2e = endToEnd.clone();
        measured.forEach((i, a) -> e2e[i] = a);
        return new Combinations(tasks, variants, e2e, taskScores, scenes, measured.size());
    }

    /** Where the figures come from, for labels. */
    public String describe() {
        return "MEASURED on " + scenes + " validation scenes (" + FILE + ")" + (live > 0 ? ", " + live + " of them re-MEASURED live" : "");
    }

    public static final String FILE = "combinations.csv";
    public static final String END_TO_END = "end_to_end";
    public static final String SCENES = "scenes";

    /** The variants of one combination, one per task in order. */
    public int index(List<String> combination) {
        int i = 0;
        for (int t = 0; t < tasks.size(); t++) {
            int v = variants.get(t).indexOf(combination.get(t));
            if (v < 0) {
                throw new IllegalArgumentException("task " + tasks.get(t) + " has no variant " + combination.get(t) + " in " + FILE);
            }
            i = i * variants.get(t).size() + v;
        }
        return i;
    }

    public int size() {
        return endToEnd.length;
    }

    /** Combination i's variants, one per task. */
    public List<String> combination(int i) {
        String[] out = new String[tasks.size()];
        for (int t = tasks.size() - 1; t >= 0; t--) {
            int n = variants.get(t).size();
            out[t] = variants.get(t).get(i % n);
            i /= n;
        }
        return List.of(out);
    }

    /** The most accurate combination's end-to-end accuracy. */
    public double best() {
        double best = 0;
        for (double a : endToEnd) {
            best = Math.max(best, a);
        }
        return best;
    }

    /**
     * The expected end-to-end accuracy when each task's traffic is spread over its variants: the
     * combinations' accuracies weighted by the product of each task's shares (a task's variant is
     * chosen independently of the others', as per-task splits choose them).
     *
     * @param shares per task (in order), per variant (in order) its share of the task's traffic, summing to 1
     */
    public double expected(double[][] shares) {
        return expected(shares, 0, 0, 1.0);
    }

    private double expected(double[][] shares, int t, int index, double weight) {
        if (t == tasks.size()) {
            return weight * endToEnd[index];
        }
        double sum = 0;
        int n = variants.get(t).size();
        for (int v = 0; v < n; v++) {
            if (shares[t][v] > 0) {
                sum += expected(shares, t + 1, index * n + v, weight * shares[t][v]);
            }
        }
        return sum;
    }

    /**
     * What one request ran, as {@link #expected} takes it — the one rule the job's planned accuracy and the simulator
     * share: per task, each variant's share of the pieces it served; a task that served none (no object found for a
     * crop-fed task) counts whole with its current variant, since any of its variants answers that request the same.
     *
     * @param pieces per task (in order), per variant (in order), the pieces it served for the request
     * @param current per task, the index of the variant in force
     */
    public static double[][] shares(int[][] pieces, int[] current) {
        double[][] out = new double[pieces.length][];
        for (int t = 0; t < pieces.length; t++) {
            out[t] = new double[pieces[t].length];
            int sum = 0;
            for (int n : pieces[t]) {
                sum += n;
            }
            if (sum == 0) {
                out[t][current[t]] = 1;
                continue;
            }
            for (int v = 0; v < pieces[t].length; v++) {
                out[t][v] = pieces[t][v] / (double) sum;
            }
        }
        return out;
    }

    /** The file for a graph's tasks, or an error naming the column that does not fit. */
    public static Combinations read(Path file, Graph graph) {
        CsvFile csv = CsvFile.withHeader(file);
        List<String> tasks = graph.tasks().stream().map(Task::name).toList();
        List<List<String>> variants = graph.tasks().stream().map(t -> t.variants().stream().map(Variant::name).toList()).toList();
        List<String> required = new ArrayList<>(tasks);
        required.add(END_TO_END);
        required.add(SCENES);
        tasks.stream().map(t -> t + "_score").filter(csv::hasColumn).forEach(required::add);
        int total = 1;
        for (List<String> v : variants) {
            total *= v.size();
        }
        double[] e2e = new double[total];
        double[][] scores = new double[total][tasks.size()];
        // Filled row by row; its index() and combination() place and name the rows.
        Combinations read = new Combinations(tasks, variants, e2e, scores, 0);
        boolean[] seen = new boolean[total];
        int scenes = 0;
        for (CsvFile.NamedRow r : csv.rows(required.toArray(String[]::new))) {
            List<String> combination = new ArrayList<>();
            for (int t = 0; t < tasks.size(); t++) {
                String v = r.cell(tasks.get(t));
                if (!variants.get(t).contains(v)) {
                    throw r.error("task " + tasks.get(t) + " has no variant '" + v + "' in graph " + graph.name() + " (variants: "
                            + variants.get(t) + ")");
                }
                combination.add(v);
            }
            int i = read.index(combination);
            double a = r.number(END_TO_END);
            if (!(a >= 0 && a <= 1)) {
                throw r.error(END_TO_END + " must be a fraction in [0, 1], found " + a);
            }
            e2e[i] = a;
            for (int t = 0; t < tasks.size(); t++) {
                String column = tasks.get(t) + "_score";
                scores[i][t] = csv.hasColumn(column) && !r.cell(column).isEmpty() ? r.number(column) : Double.NaN;
            }
            seen[i] = true;
            scenes = r.integer(SCENES);
        }
        for (int i = 0; i < total; i++) {
            if (!seen[i]) {
                throw new io.jigsaw.core.input.InputException(file, "rows", "no row for the combination "
                        + read.combination(i) + " (" + total + " expected: every variant of every task)");
            }
        }
        return new Combinations(tasks, variants, e2e, scores, scenes);
    }

    /** Writes the combinations: one row each, in index order. */
    public void write(Path file) {
        List<String> header = new ArrayList<>(tasks);
        header.add(END_TO_END);
        tasks.forEach(t -> header.add(t + "_score"));
        header.add(SCENES);
        List<String> lines = new ArrayList<>(List.of(String.join(",", header)));
        for (int i = 0; i < size(); i++) {
            List<String> cells = new ArrayList<>(combination(i));
            cells.add(String.format(Locale.ROOT, "%.4f", endToEnd[i]));
            for (double s : taskScores[i]) {
                cells.add(Double.isNaN(s) ? "" : String.format(Locale.ROOT, "%.4f", s));
            }
            cells.add(Integer.toString(scenes));
            lines.add(String.join(",", cells));
        }
        try {
            Files.write(file, lines);
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + file, e);
        }
    }

    /** Per task, its variant in the best combination (for labels). */
    public Map<String, String> bestCombination() {
        int best = 0;
        for (int i = 1; i < size(); i++) {
            if (endToEnd[i] > endToEnd[best]) {
                best = i;
            }
        }
        Map<String, String> out = new LinkedHashMap<>();
        List<String> c = combination(best);
        for (int t = 0; t < tasks.size(); t++) {
            out.put(tasks.get(t), c.get(t));
        }
        return out;
    }
}
