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

    private static final Set<String> GRAPH_KEYS = Set.of("name", "latency_slo_ms", "accuracy_slo", "input", "models_dir", "tasks");
    private static final Set<String> TASK_KEYS = Set.of("name", "after", "variants");
    private static final Set<String> VARIANT_KEYS = Set.of("name", "accuracy", "model", "recipe", "fanout");
    private static final double DEFAULT_ACCURACY_SLO = 0.9;

    private YamlGraphReader() {
    }

    static Graph read(Path file) {
        Fields root = TreeFiles.yaml(file).requireObject(GRAPH_KEYS);
        String name = root.field("name").text();
        double latencySlo = root.field("latency_slo_ms").positive();
        double accuracySlo = root.field("accuracy_slo").present() ? root.field("accuracy_slo").positive() : DEFAULT_ACCURACY_SLO;
        if (accuracySlo > 1) {
            throw root.field("accuracy_slo").error("expected a fraction of the best achievable accuracy in (0, 1], found " + accuracySlo);
        }
        TensorSpec input = root.field("input").present() ? input(root.field("input")) : null;
        String modelsDir = root.field("models_dir").present() ? resolve(file, root.field("models_dir").text()).toString() : null;
        List<Task> tasks = new ArrayList<>();
        for (Fields t : root.field("tasks").list()) {
            tasks.add(task(t));
        }
        return new Graph(name, latencySlo, accuracySlo, input, GraphChecker.check(file, tasks), modelsDir, List.of());
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

    private static Task task(Fields f) {
        f.requireObject(TASK_KEYS);
        String name = f.field("name").text();
        List<Fields> variantFields = f.field("variants").list();
        double best = 0;
        for (Fields v : variantFields) {
            best = Math.max(best, v.requireObject(VARIANT_KEYS).field("accuracy").positive());
        }
        List<Variant> variants = new ArrayList<>();
        for (Fields v : variantFields) {
            variants.add(variant(v, best));
        }
        return new Task(name, f.field("after").texts(), variants);
    }

    private static Variant variant(Fields f, double bestAccuracy) {
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
            r.requireObject(Set.of("conv", "dense", "seed"));
            List<Integer> conv = r.field("conv").list().stream().map(Fields::integer).toList();
            if (conv.isEmpty() || conv.stream().anyMatch(c -> c <= 0)) {
                throw r.field("conv").error("expected a non-empty list of channel counts > 0");
            }
            int dense = r.field("dense").integer();
            long seed = r.field("seed").present() ? r.field("seed").integer() : 1;
            recipe = new ModelRecipe(conv, dense, seed);
        }
        String model = f.field("model").present() ? f.field("model").text() : null;
        return new Variant(f.field("name").text(), f.field("accuracy").positive() / bestAccuracy, model, fanout, recipe, false);
    }
}
