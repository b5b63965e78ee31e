package io.jigsaw.models;

import io.jigsaw.core.graph.ConfidenceCsv;
import io.jigsaw.core.graph.Dataflow;
import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.Task;
import io.jigsaw.core.graph.TensorSpec;
import io.jigsaw.core.graph.Variant;
import io.jigsaw.core.scene.SceneGenerator;
import io.jigsaw.core.scene.Scoring;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.ndarray.Shape;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * What a cascade's threshold is chosen from: each built variant of a crop-fed classifier run on the
 * validation split's crops (the same crops for every variant), its top class probability and whether
 * that class was right, written to {@code confidence.csv} beside the models.
 */
final class Confidences {

    static final int SAMPLES = 400;
    private static final long VALIDATION_SEED = 43;

    private Confidences() {
    }

    /** @return the file written, or empty when the graph has no crop-fed classifier with two or more built variants */
    static Optional<Path> write(Graph graph, Dataflow flow, Path modelsDir) {
        List<ConfidenceCsv.Row> rows = new ArrayList<>();
        for (Task task : graph.tasks()) {
            if (!task.takesCrops() || task.labels().isEmpty() || flow.input(task.name()).isEmpty()) {
                continue;
            }
            List<Variant> built = task.variants().stream()
                    .filter(v -> Files.isRegularFile(modelsDir.resolve(v.model().orElse(v.name())).resolve("saved_model.pb"))).toList();
            if (built.size() < 2) {
                continue;
            }
            TensorSpec input = flow.input(task.name()).get();
            int h = input.shape().get(0);
            int w = input.shape().get(1);
            SceneBatches.Batch b = new SceneBatches(VALIDATION_SEED, SceneGenerator.Split.VALIDATION).crops(SAMPLES, h, w);
            int classes = SceneGenerator.LABELS.size();
            for (Variant v : built) {
                try (SavedModelBundle model = SavedModelBundle.load(modelsDir.resolve(v.model().orElse(v.name())).toString(), "serve")) {
                    float[] p = UpstreamJoins.run(model, b.inputs(), Shape.of(b.size(), h, w, 3)).get(task.labels().get().tensor());
                    int width = p.length / b.size();
                    for (int i = 0; i < b.size(); i++) {
                        float[] probs = Arrays.copyOfRange(p, i * width, (i + 1) * width);
                        float[] truth = Arrays.copyOfRange(b.targets(), i * (classes + 1), i * (classes + 1) + classes);
                        int best = Scoring.argmax(probs);
                        rows.add(new ConfidenceCsv.Row(task.name(), v.name(), i, Math.min(1, Math.max(0, probs[best])),
                                best == Scoring.argmax(truth)));
                    }
                }
            }
        }
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        Path file = modelsDir.resolve(ConfidenceCsv.FILE);
        ConfidenceCsv.write(file, rows);
        return Optional.of(file);
    }
}
