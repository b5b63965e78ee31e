package io.jigsaw.bench;

import io.jigsaw.core.graph.ModelRecipe;
import io.jigsaw.core.graph.Task;
import io.jigsaw.core.graph.Variant;
import io.jigsaw.runtime.VariantRunner;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A model that costs nothing: it answers every input at once with its recipe's output tensors, so the job
 * around it does all its own work (Kafka, Avro, hops, crops, joins, state, results) and none of
 * TensorFlow's. A detector finds one object, then two, alternately (1.5 per frame, the demo scenes'
 * 1.55), so its children receive as many crops as on the demo's scenes; everything else is zeros.
 */
final class NoOpRunner implements VariantRunner {

    private final Task task;
    private final Map<String, Map<String, float[]>> outputs = new HashMap<>();
    private long calls;

    private NoOpRunner(Task task) {
        this.task = task;
    }

    static Factory factory() {
        return (graph, task) -> new NoOpRunner(graph.task(task).orElseThrow());
    }

    @Override
    public void prepare(String variant, int threads) {
        template(variant);
    }

    @Override
    public List<Map<String, float[]>> predict(String variant, int threads, List<byte[]> inputs, int[] itemShape) {
        Map<String, float[]> template = template(variant);
        List<Map<String, float[]>> out = new ArrayList<>(inputs.size());
        for (int i = 0; i < inputs.size(); i++) {
            if (!template.containsKey("scores")) {
                out.add(template);
                continue;
            }
            // Fresh scores per item: the first one or two cells are objects.
            Map<String, float[]> item = new HashMap<>(template);
            float[] scores = new float[template.get("scores").length];
            int objects = (int) (1 + calls++ % 2);
            for (int k = 0; k < Math.min(objects, scores.length); k++) {
                scores[k] = 0.9f;
            }
            item.put("scores", scores);
            out.add(item);
        }
        return out;
    }

    /** The variant's outputs, shaped as its recipe declares them; boxes one per grid cell. */
    private Map<String, float[]> template(String variant) {
        return outputs.computeIfAbsent(variant, v -> {
            Variant declared = task.variants().stream().filter(x -> x.name().equals(v)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("task " + task.name() + " has no variant " + v));
            ModelRecipe recipe = declared.buildRecipe();
            if (recipe == null) {
                throw new IllegalArgumentException("variant " + v + " has no recipe: the no-op model takes its output shapes from it");
            }
            Map<String, float[]> out = new HashMap<>();
            recipe.outputs().forEach((name, shape) -> out.put(name, new float[shape.stream().reduce(1, (a, b) -> a * b)]));
            float[] boxes = out.get("boxes");
            if (boxes != null) {
                int cells = boxes.length / 4;
                int grid = (int) Math.round(Math.sqrt(cells));
                for (int c = 0; c < cells; c++) {
                    float x = (c % grid) / (float) grid;
                    float y = (c / grid) / (float) grid;
                    boxes[4 * c] = x;
                    boxes[4 * c + 1] = y;
                    boxes[4 * c + 2] = x + 1f / grid;
                    boxes[4 * c + 3] = y + 1f / grid;
                }
            }
            return out;
        });
    }

    @Override
    public void close() {
    }

}
