package io.jigsaw.core.graph;

import io.jigsaw.core.input.CsvFile;
import io.jigsaw.core.input.Fields;
import io.jigsaw.core.input.InputException;
import io.jigsaw.core.input.TreeFiles;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Loki's app format (HPDC'24 artifact, UMass-LIDS/Loki): a task tree in JSON
 * ({@code appName}, {@code latencySLOInMSec}, {@code root: {task, model_variants, children}}) with
 * side files in the same folder: {@code accuracy_<task>.csv} ({@code variant,accuracy}, best = 100)
 * and {@code branching.csv} (per detector variant: objects per frame and the share routed to each
 * child). A task named twice (Loki's {@code sink} under every branch) is one task with several
 * parents.
 *
 * <p>Fallbacks, each recorded in {@link Graph#warnings()}:
 * <ul>
 *   <li>a variant with no accuracy row is left out (its accuracy is unknown, so no plan may use it);</li>
 *   <li>a task with no accuracy file whose only variant is named like the task ({@code sink},
 *       {@code source}) is a pseudo-task: accuracy 1, no cost;</li>
 *   <li>a detector variant with no {@code branching.csv} row gets, per child, the largest fan-out of
 *       the task's listed variants: planning for the most load below is the safe side;</li>
 *   <li>no {@code branching.csv} at all: every task sends one piece to each child.</li>
 * </ul>
 */
final class LokiAppReader {

    private static final double DEFAULT_ACCURACY_SLO = 0.9;

    private LokiAppReader() {
    }

    private record Node(String task, List<String> variants, Set<String> parents) {
    }

    static Graph read(Path file) {
        Fields app = TreeFiles.json(file);
        String name = app.field("appName").text();
        double slo = app.field("latencySLOInMSec").positive();
        Map<String, Node> nodes = new LinkedHashMap<>();
        collect(app.field("root"), null, nodes);
        Path dir = file.toAbsolutePath().getParent();
        List<String> warnings = new ArrayList<>();
        Map<String, Map<String, Double>> fanouts = fanouts(dir, nodes, warnings);
        List<Task> tasks = new ArrayList<>();
        for (Node n : nodes.values()) {
            tasks.add(new Task(n.task(), List.copyOf(n.parents()), variants(dir, n, fanouts, warnings)));
        }
        return new Graph(name, slo, DEFAULT_ACCURACY_SLO, null, GraphChecker.check(file, tasks), null, warnings);
    }

    private static void collect(Fields f, String parent, Map<String, Node> nodes) {
        String task = f.field("task").text();
        List<String> variants = f.field("model_variants").texts();
        if (variants.isEmpty()) {
            throw f.field("model_variants").error("task '" + task + "' lists no model variants");
        }
        Node node = nodes.computeIfAbsent(task, t -> new Node(t, variants, new LinkedHashSet<>()));
        if (!node.variants().equals(variants)) {
            throw f.field("model_variants").error("task '" + task + "' appears twice with different variants: "
                    + node.variants() + " and " + variants);
        }
        if (parent != null) {
            node.parents().add(parent);
        }
        if (f.field("children").present()) {
            for (Fields child : f.field("children").list()) {
                collect(child, task, nodes);
            }
        }
    }

    private static List<Variant> variants(Path dir, Node n, Map<String, Map<String, Double>> fanouts, List<String> warnings) {
        Path accuracyFile = dir.resolve("accuracy_" + n.task() + ".csv");
        if (!Files.exists(accuracyFile)) {
            if (n.variants().equals(List.of(n.task()))) {
                return List.of(new Variant(n.task(), 1.0, null, Map.of(), null, true));
            }
            throw new InputException(accuracyFile, "", "missing: task '" + n.task() + "' has variants " + n.variants()
                    + " and needs their accuracies (lines 'variant,accuracy')");
        }
        Map<String, Double> accuracy = new HashMap<>();
        for (CsvFile.Row row : CsvFile.withoutHeader(accuracyFile).rows()) {
            double a = row.number(1, "accuracy");
            if (!(a > 0)) {
                throw InputException.atLine(accuracyFile, row.line(), "accuracy must be > 0, found " + a);
            }
            accuracy.put(row.cell(0, "variant"), a);
        }
        double best = n.variants().stream().filter(accuracy::containsKey).mapToDouble(accuracy::get).max().orElse(0);
        List<Variant> out = new ArrayList<>();
        for (String v : n.variants()) {
            if (!accuracy.containsKey(v)) {
                warnings.add("variant " + v + " of task " + n.task() + " has no row in " + accuracyFile.getFileName()
                        + ": left out (its accuracy is unknown)");
                continue;
            }
            out.add(new Variant(v, accuracy.get(v) / best, null, fanouts.getOrDefault(v, Map.of()), null, false, "loki"));
        }
        if (out.isEmpty()) {
            throw new InputException(accuracyFile, "", "none of task '" + n.task() + "'s variants " + n.variants() + " has a row");
        }
        return out;
    }

    /** Variant name to (child task to mean pieces per input), from branching.csv. */
    private static Map<String, Map<String, Double>> fanouts(Path dir, Map<String, Node> nodes, List<String> warnings) {
        Path file = dir.resolve("branching.csv");
        if (!Files.exists(file)) {
            warnings.add("no branching.csv beside the app: every task sends one piece to each child");
            return Map.of();
        }
        CsvFile csv = CsvFile.withHeader(file);
        int model = csv.column("model");
        int mult = csv.column("mult_factor");
        Map<String, Map<String, Double>> rows = new HashMap<>();
        for (CsvFile.Row row : csv.rows()) {
            Map<String, Double> perChild = new LinkedHashMap<>();
            double m = row.number(mult, "mult_factor");
            for (String child : csv.header()) {
                if (child.isEmpty() || child.equals("model") || child.equals("mult_factor")) {
                    continue;
                }
                if (!nodes.containsKey(child)) {
                    throw InputException.atLine(file, 1, "column '" + child + "' is not a task of the app (tasks: " + nodes.keySet() + ")");
                }
                perChild.put(child, m * row.number(csv.column(child), child));
            }
            rows.put(row.cell(model, "model"), perChild);
        }
        // A detector whose listed variant has no row: be conservative (see class comment).
        for (Node n : nodes.values()) {
            List<String> known = n.variants().stream().filter(rows::containsKey).toList();
            if (known.isEmpty()) {
                continue;
            }
            for (String v : n.variants()) {
                if (!rows.containsKey(v)) {
                    Map<String, Double> worst = new LinkedHashMap<>();
                    known.forEach(k -> rows.get(k).forEach((c, x) -> worst.merge(c, x, Math::max)));
                    rows.put(v, worst);
                    warnings.add("variant " + v + " of task " + n.task() + " has no row in branching.csv: using the largest"
                            + " fan-out of the task's other variants " + worst);
                }
            }
        }
        return rows;
    }
}
