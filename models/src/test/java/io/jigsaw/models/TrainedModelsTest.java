package io.jigsaw.models;

import io.jigsaw.core.graph.ModelRecipe;
import io.jigsaw.core.graph.TensorSpec;
import io.jigsaw.core.scene.SceneGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A real training, kept short: the smallest classifier learns the scenes' labels well beyond chance. */
class TrainedModelsTest {

    @TempDir
    Path dir;

    @Test
    void aSmallClassifierTrainedBrieflyBeatsChanceTwiceOver() throws Exception {
        ModelRecipe recipe = new ModelRecipe("classifier", List.of(8, 16), List.of(), SceneGenerator.LABELS.size(), 0, 21, 150);

        TrainedModels.Measured m = TrainedModels.train(recipe, new TensorSpec(List.of(32, 32, 3), "float32"), dir.resolve("c"),
                new TrainedModels.Detections(0.5, 8), null, step -> { });

        double chance = 1.0 / SceneGenerator.LABELS.size();
        assertThat(m.accuracy()).as("top-1 on %d test crops (chance %.2f)", m.samples(), chance).isGreaterThan(2 * chance);
        assertThat(m.metric()).startsWith("top-1");
        assertThat(dir.resolve("c/saved_model.pb")).exists();
        assertThat(Files.list(dir.resolve("c/variables")).count()).as("trained weights are saved").isPositive();
    }
}
