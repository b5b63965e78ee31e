package io.jigsaw.models;

import io.jigsaw.core.graph.AccuracyCsv;
import io.jigsaw.core.graph.Dataflow;
import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.Task;
import io.jigsaw.core.graph.TaskInput;
import io.jigsaw.core.graph.Variant;
import io.jigsaw.core.image.Crop;
import io.jigsaw.core.image.CropBoxes;
import io.jigsaw.core.scene.Scene;
import io.jigsaw.core.scene.SceneGenerator;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A trained join's examples as the job would feed it: each scene runs through the graph's own
 * models above the join — per task the variant measured most accurate — the detector's boxes taken
 * as the fan-out takes them ({@link CropBoxes}), cut by {@link Crop}, and each branch's answers laid
 * out in object order and zero-padded as the job's join assembles them. The target is the scene's
 * answer: the nearest object's label, or "none". A join trained and measured on these answers has
 * the accuracy the pipeline's best upstream gives it, which is what serving measures.
 */
final class UpstreamJoins implements AutoCloseable {

    private static final int CHUNK = 256;

    /** One branch of the join: the task that answers it, its crop spec, its model and its place in the layout. */
    private record Branch(Dataflow.JoinBranch layout, TaskInput.Crops crops, Variant variant, SavedModelBundle model) {
    }

    private final String detectorName;
    private final Variant detector;
    private final SavedModelBundle detectorModel;
    private final List<Branch> branches = new ArrayList<>();
    private final int width;

    private UpstreamJoins(String detectorName, Variant detector, SavedModelBundle detectorModel, int width) {
        this.detectorName = detectorName;
        this.detector = detector;
        this.detectorModel = detectorModel;
        this.width = width;
    }

    /**
     * @param modelsDir where the upstream models were built (and their accuracy.csv written)
     * @throws IllegalArgumentException when the join's branches are not crops of one frame detector,
     *     the one shape of join this trainer knows
     */
    static UpstreamJoins open(Graph graph, Dataflow flow, String joinTask, Path modelsDir) {
        List<Dataflow.JoinBranch> layout = flow.join(joinTask);
        if (layout.isEmpty()) {
            throw new IllegalArgumentException("a trained mlp learns a join's input; task " + joinTask + " takes no join:");
        }
        List<AccuracyCsv.Row> measured = Files.exists(modelsDir.resolve(AccuracyCsv.FILE))
                ? AccuracyCsv.read(modelsDir.resolve(AccuracyCsv.FILE)) : List.of();
        UpstreamJoins joins = null;
        try {
            for (Dataflow.JoinBranch b : layout) {
                Task branch = graph.task(b.from()).orElseThrow();
                if (!(branch.input() instanceof TaskInput.Crops crops)
                        || !(graph.task(crops.from()).orElseThrow().input() instanceof TaskInput.Frame)
                        || (joins != null && !joins.detectorName.equals(crops.from()))) {
                    throw new IllegalArgumentException("a trained join learns from branches that take crops of one detector fed the frame;"
                            + " branch " + b.from() + " of " + joinTask + " does not");
                }
                if (joins == null) {
                    Variant d = best(graph.task(crops.from()).orElseThrow(), measured);
                    joins = new UpstreamJoins(crops.from(), d, load(modelsDir, d),
                            layout.stream().mapToInt(l -> l.maxPieces() * l.elements()).sum());
                }
                Variant v = best(branch, measured);
                joins.branches.add(new Branch(b, crops, v, load(modelsDir, v)));
            }
            return joins;
        } catch (RuntimeException e) {
            if (joins != null) {
                joins.close();
            }
            throw e;
        }
    }

    /** The upstream variants the examples come from, e.g. "detect-l, classify-l, depth-l". */
    String describe() {
        List<String> names = new ArrayList<>(List.of(detector.name()));
        branches.forEach(b -> names.add(b.variant().name()));
        return String.join(", ", names);
    }

    /** One example per scene: the join vector, and the one-hot of the scene's answer (labels then none). */
    SceneBatches.Batch examples(List<Scene> scenes) {
        int classes = SceneGenerator.LABELS.size() + 1;
        float[] x = new float[scenes.size() * width];
        float[] y = new float[scenes.size() * classes];
        for (int from = 0; from < scenes.size(); from += CHUNK) {
            List<Scene> chunk = scenes.subList(from, Math.min(scenes.size(), from + CHUNK));
            fill(chunk, x, from * width);
            for (int i = 0; i < chunk.size(); i++) {
                y[(from + i) * classes + chunk.get(i).nearestLabel()] = 1;
            }
        }
        return new SceneBatches.Batch(scenes.size(), x, y, null);
    }

    private void fill(List<Scene> scenes, float[] x, int at) {
        int size = SceneGenerator.SIZE;
        Map<String, float[]> found = run(detectorModel, SceneBatches.stack(scenes), Shape.of(scenes.size(), size, size, 3));
        int cells = found.get(branches.get(0).crops().scores()).length / scenes.size();
        int offset = 0;
        for (Branch b : branches) {
            TaskInput.Crops c = b.crops();
            int cropPixels = c.height() * c.width() * 3;
            List<float[]> crops = new ArrayList<>();
            List<Integer> slots = new ArrayList<>();
            for (int i = 0; i < scenes.size(); i++) {
                float[] s = java.util.Arrays.copyOfRange(found.get(c.scores()), i * cells, (i + 1) * cells);
                float[] bx = java.util.Arrays.copyOfRange(found.get(c.boxes()), i * cells * 4, (i + 1) * cells * 4);
                List<CropBoxes.Taken> taken = CropBoxes.select(s, bx, c.minScore(), Math.min(c.max(), b.layout().maxPieces()), size, size,
                        reason -> { });
                for (int k = 0; k < taken.size(); k++) {
                    crops.add(Crop.resize(scenes.get(i).frame(), size, size, 3, taken.get(k).box(), c.height(), c.width()));
                    slots.add(at + i * width + offset + k * b.layout().elements());
                }
            }
            if (!crops.isEmpty()) {
                float[] in = new float[crops.size() * cropPixels];
                for (int k = 0; k < crops.size(); k++) {
                    System.arraycopy(crops.get(k), 0, in, k * cropPixels, cropPixels);
                }
                float[] answers = run(b.model(), in, Shape.of(crops.size(), c.height(), c.width(), 3)).get(b.layout().tensor());
                for (int k = 0; k < crops.size(); k++) {
                    System.arraycopy(answers, k * b.layout().elements(), x, slots.get(k), b.layout().elements());
                }
            }
            offset += b.layout().maxPieces() * b.layout().elements();
        }
    }

    /** Runs a SavedModel's serving signature; per output, the values flat. */
    static Map<String, float[]> run(SavedModelBundle model, float[] input, Shape shape) {
        Map<String, float[]> out = new LinkedHashMap<>();
        try (TFloat32 in = TFloat32.tensorOf(shape, DataBuffers.of(input, true, false));
             Result result = model.call(Map.of(RecipeModels.INPUT, (Tensor) in))) {
            for (Map.Entry<String, Tensor> e : result) {
                TFloat32 t = (TFloat32) e.getValue();
                float[] v = new float[(int) t.size()];
                t.read(DataBuffers.of(v, false, false));
                out.put(e.getKey(), v);
            }
        }
        return out;
    }

    /** The variant measured most accurate (else the last listed, the largest by the graph's convention). */
    private static Variant best(Task task, List<AccuracyCsv.Row> measured) {
        Variant best = task.variants().get(task.variants().size() - 1);
        double bestAccuracy = Double.NEGATIVE_INFINITY;
        for (Variant v : task.variants()) {
            for (AccuracyCsv.Row r : measured) {
                if (r.task().equals(task.name()) && r.variant().equals(v.name()) && r.accuracy() > bestAccuracy) {
                    best = v;
                    bestAccuracy = r.accuracy();
                }
            }
        }
        return best;
    }

    private static SavedModelBundle load(Path modelsDir, Variant v) {
        Path dir = modelsDir.resolve(v.model().orElse(v.name()));
        if (!Files.isRegularFile(dir.resolve("saved_model.pb"))) {
            throw new IllegalArgumentException("training a join needs " + v.name() + "'s model, not found at " + dir);
        }
        return SavedModelBundle.load(dir.toString(), "serve");
    }

    @Override
    public void close() {
        detectorModel.close();
        branches.forEach(b -> b.model().close());
    }
}
