package io.jigsaw.core.graph;

import io.jigsaw.core.input.Fields;
import io.jigsaw.core.input.TreeFiles;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Our graph format (see README "Graph file"): name, SLOs, input spec, and tasks with {@code after:}
 * and variants (accuracy, SavedModel location, build recipe, fan-out). Accuracies are normalised
 * per task so that its best variant is 1.0, whatever scale the file uses.
 */
final class YamlGraphReader {

    private static final Set<String> GRAPH_KEYS = Set.of("name", "latency_slo_ms", "accuracy_slo", "input", "models_dir", "outputs",
            "tasks");
    private static final Set<String> TASK_KEYS = Set.of("name", "after", "input", "labels", "variants");
    private static final Set<String> CROP_KEYS = Set.of("from", "boxes", "scores", "min_score", "max", "size");
    private static final Set<String> RECIPE_KEYS = Set.of("kind", "conv", "hidden", "dense", "grid", "seed", "train");
    private static final Set<String> VARIANT_KEYS = Set.of("name", "accuracy", "model", "recipe", "fanout");
    private static final double DEFAULT_ACCURACY_SLO = 0.9;

    private YamlGraphReader() {
    }

    static Graph read(Path file) {
        Fields root = TreeFiles.yaml(file).requireObject(GRAPH_KEYS);
        String name = root.field("name").text();
        double latencySlo = root.field("latency_slo_ms").positive();
        // accuracy_slo: a fraction of the best combination (0.9), or {end_to_end: 0.70} in the graph's own units.
        Fields sloField = root.field("accuracy_slo");
        boolean absolute = sloField.present() && sloField.node().isObject();
        if (absolute) {
            sloField = sloField.requireObject(Set.of("end_to_end")).field("end_to_end");
        }
        double accuracySlo = sloField.present() ? sloField.positive() : DEFAULT_ACCURACY_SLO;
        if (accuracySlo > 1) {
            throw sloField.error((absolute ? "expected an end-to-end accuracy" : "expected a fraction of the best achievable accuracy")
                    + " in (0, 1], found " + accuracySlo);
        }
        TensorSpec input = root.field("input").present() ? input(root.field("input")) : null;
        String modelsDir = root.field("models_dir").present() ? resolve(file, root.field("models_dir").text()).toString() : null;
        Map<String, AccuracyCsv.Row> measured = measuredAccuracies(file, modelsDir);
        List<Task> tasks = new ArrayList<>();
        for (Fields t : root.field("tasks").list()) {
            tasks.add(task(t, measured));
        }
        List<String> outputs = root.field("outputs").texts();
        Graph graph = new Graph(name, latencySlo, accuracySlo, input, GraphChecker.check(file, tasks, outputs), modelsDir, List.of(),
                outputs, file.toString(), null, false);
        // Combinations are read from where the accuracies were: the two describe the same models.
        Combinations combinations = recorded(file, modelsDir == null ? null : Path.of(modelsDir), AccuracyCsv.FILE)
                .map(p -> p.resolveSibling(Combinations.FILE)).filter(java.nio.file.Files::exists)
                .map(p -> Combinations.read(p, graph)).orElse(null);
        if (absolute && combinations == null) {
            throw root.field("accuracy_slo").error("an end-to-end accuracy SLO needs the measured accuracy of the graph's variant"
                    + " combinations (" + Combinations.FILE + ", written by `bin/jigsaw models`); none was found beside accuracy.csv");
        }
        return new Graph(name, latencySlo, accuracySlo, input, graph.tasks(), modelsDir, List.of(), outputs, file.toString(),
                combinations, absolute);
    }

    /**
     * What `models` measured: the models dir's accuracy.csv (the models that will serve), else the one
     * beside the graph (a recorded run's). Keyed task/variant.
     */
    private static Map<String, AccuracyCsv.Row> measuredAccuracies(Path file, String modelsDir) {
        Map<String, AccuracyCsv.Row> out = new LinkedHashMap<>();
        recorded(file, modelsDir == null ? null : Path.of(modelsDir), AccuracyCsv.FILE)
                .ifPresent(p -> AccuracyCsv.read(p).forEach(r -> out.put(r.task() + "/" + r.variant(), r)));
        return out;
    }

    /**
     * A file `models` writes beside the models it builds ({@code accuracy.csv}, {@code confidence.csv}):
     * the models dir's (the models that will serve), else the one beside the graph file (a recorded run's).
     *
     * @param graphFile the graph's file, or null
     * @param modelsDir the graph's models dir, or null
     */
    static java.util.Optional<Path> recorded(Path graphFile, Path modelsDir, String name) {
        List<Path> candidates = new ArrayList<>();
        if (modelsDir != null) {
            candidates.add(modelsDir.resolve(name));
        }
        Path base = graphFile == null ? null : graphFile.toAbsolutePath().getParent();
        if (base != null) {
            candidates.add(base.resolve(name));
        }
        return candidates.stream().filter(java.nio.file.Files::exists).findFirst();
    }

    private static Path resolve(Path file, String dir) {
        Path p = Path.of(dir);
        Path base = file.toAbsolutePath().getParent();
        return p.isAbsolute() || base == null ? p : base.resolve(p).normalize();
    }

    private static TensorSpec input(Fields f) {
        f.requireObject(Set.of("shape", "dtype"));
        List<Integer> shape = new ArrayList<>();
        for (Fields d : f.field("shape").list()) {
            int n = d.integer();
            if (n <= 0) {
                throw d.error("expected a dimension > 0, found " + n);
            }
            shape.add(n);
        }
        String dtype = f.field("dtype").text(TensorSpec.FLOAT32);
        if (!Set.of("float32", "float64", "int32", "int64", "uint8", "int8").contains(dtype)) {
            throw f.field("dtype").error("expected one of float32, float64, int32, int64, uint8, int8; found '" + dtype + "'");
        }
        return new TensorSpec(shape, dtype);
    }

    private static Task task(Fields f, Map<String, AccuracyCsv.Row> measured) {
        f.requireObject(TASK_KEYS);
        String name = f.field("name").text();
        List<Fields> variantFields = f.field("variants").list();
        Map<String, Double> raw = new LinkedHashMap<>();
        for (Fields v : variantFields) {
            v.requireObject(VARIANT_KEYS);
            String variant = v.field("name").text();
            AccuracyCsv.Row m = measured.get(name + "/" + variant);
            if (v.field("accuracy").present()) {
                raw.put(variant, v.field("accuracy").positive());
            } else if (m != null) {
                raw.put(variant, Math.max(m.accuracy(), 1e-6));
            } else {
                // Not measured yet (`models` measures it): the graph loads, but no plan can use it (PlanningInstance says so).
                raw.put(variant, Double.NaN);
            }
        }
        double best = raw.values().stream().filter(a -> !a.isNaN()).mapToDouble(Double::doubleValue).max().orElse(1);
        List<Variant> variants = new ArrayList<>();
        for (Fields v : variantFields) {
            double a = raw.get(v.field("name").text());
            variants.add(variant(v, a / best, v.field("accuracy").present() ? Variant.DECLARED : Double.isNaN(a) ? Variant.UNMEASURED
                    : Variant.MEASURED));
        }
        Labels labels = f.field("labels").present() ? labels(f.field("labels")) : null;
        return new Task(name, f.field("after").texts(), variants, taskInput(f.field("input")), labels, best);
    }

    /** {@code frame} (the default), {@code {from, tensor}}, {@code {crops: {...}}} or {@code {join: [{from, tensor}, ...]}}. */
    private static TaskInput taskInput(Fields f) {
        if (!f.present()) {
            return TaskInput.frame();
        }
        if (f.node().isTextual()) {
            if (!f.text().equals("frame")) {
                throw f.error("expected 'frame', {from: <task>, tensor: <name>}, {crops: {...}} or {join: [...]}, found '"
                        + f.text() + "'");
            }
            return TaskInput.frame();
        }
        if (f.field("crops").present()) {
            Fields c = f.requireObject(Set.of("crops")).field("crops").requireObject(CROP_KEYS);
            List<Fields> size = c.field("size").list();
            if (size.size() != 2 || size.stream().anyMatch(d -> d.integer() <= 0)) {
                throw c.field("size").error("expected [height, width], two sizes > 0");
            }
            double minScore = c.field("min_score").present() ? c.field("min_score").number() : 0.5;
            int max = c.field("max").present() ? c.field("max").integer() : 8;
            if (max < 1) {
                throw c.field("max").error("expected at most this many crops, >= 1; found " + max);
            }
            return new TaskInput.Crops(c.field("from").text(), c.field("boxes").text("boxes"), c.field("scores").text("scores"),
                    minScore, max, size.get(0).integer(), size.get(1).integer());
        }
        if (f.field("join").present()) {
            List<TaskInput.ParentTensor> branches = new ArrayList<>();
            for (Fields b : f.requireObject(Set.of("join")).field("join").list()) {
                branches.add(parentTensor(b));
            }
            return new TaskInput.Join(branches);
        }
        return parentTensor(f);
    }

    private static TaskInput.ParentTensor parentTensor(Fields f) {
        f.requireObject(Set.of("from", "tensor"));
        return new TaskInput.ParentTensor(f.field("from").text(), f.field("tensor").text());
    }

    private static Labels labels(Fields f) {
        f.requireObject(Set.of("tensor", "top", "names"));
        List<String> names = f.field("names").texts();
        if (names.isEmpty()) {
            throw f.field("names").error("expected a list of label names, one per entry of the tensor");
        }
        int top = f.field("top").present() ? f.field("top").integer() : 1;
        if (top < 1) {
            throw f.field("top").error("expected how many best labels to show, >= 1; found " + top);
        }
        return new Labels(f.field("tensor").text("probabilities"), top, names);
    }

    private static Variant variant(Fields f, double accuracy, String source) {
        Map<String, Double> fanout = new LinkedHashMap<>();
        Fields fan = f.field("fanout");
        if (fan.present()) {
            for (String child : fan.keys()) {
                fanout.put(child, fan.field(child).number());
            }
        }
        ModelRecipe recipe = null;
        Fields r = f.field("recipe");
        if (r.present()) {
            recipe = recipe(r.requireObject(RECIPE_KEYS));
        }
        String model = f.field("model").present() ? f.field("model").text() : null;
        return new Variant(f.field("name").text(), accuracy, model, fanout, recipe, false, source);
    }

    private static ModelRecipe recipe(Fields r) {
        String kind = r.field("kind").text("classifier");
        if (!ModelRecipe.KINDS.contains(kind)) {
            throw r.field("kind").error("expected one of " + ModelRecipe.KINDS + ", found '" + kind + "'");
        }
        List<Integer> conv = widths(r.field("conv"));
        List<Integer> hidden = widths(r.field("hidden"));
        boolean image = !kind.equals("mlp");
        if (image && conv.isEmpty() && !kind.equals("brightness")) {
            throw r.field("conv").error("expected a non-empty list of channel counts > 0");
        }
        boolean detects = kind.equals("detector") || kind.equals("brightness");
        int dense = detects ? 0 : r.field("dense").integer();
        if (!detects && dense < 1) {
            throw r.field("dense").error("expected the output size, >= 1; found " + dense);
        }
        int grid = detects ? (r.field("grid").present() ? r.field("grid").integer() : 4) : 0;
        if (detects && grid < 1) {
            throw r.field("grid").error("expected cells per side, >= 1; found " + grid);
        }
        long seed = r.field("seed").present() ? r.field("seed").integer() : 1;
        int train = r.field("train").present() ? r.field("train").integer() : 0;
        if (train < 0 || train > 0 && kind.equals("brightness")) {
            throw r.field("train").error("expected training steps >= 0 (none for the hand-set brightness detector), found " + train);
        }
        return new ModelRecipe(kind, conv, hidden, dense, grid, seed, train);
    }

    private static List<Integer> widths(Fields f) {
        if (!f.present()) {
            return List.of();
        }
        List<Integer> out = f.list().stream().map(Fields::integer).toList();
        if (out.isEmpty() || out.stream().anyMatch(c -> c <= 0)) {
            throw f.error("expected a non-empty list of sizes > 0");
        }
        return out;
    }
}
