package io.jigsaw.models;

import io.jigsaw.core.graph.ConfidenceCsv;
import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.GraphLoader;
import io.jigsaw.core.graph.ModelRecipe;
import io.jigsaw.core.graph.RecipeStamps;
import io.jigsaw.core.graph.TensorSpec;
import io.jigsaw.core.scene.SceneGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What a cascade's threshold is chosen from: each built classifier's confidence and correctness on the same validation crops. */
class ConfidencesTest {

    @TempDir
    Path dir;

    @Test
    void everyBuiltVariantOfALabelledCropTaskIsRunOnTheSameValidationCrops() throws Exception {
        Path graphFile = Files.writeString(dir.resolve("graph.yaml"), """
                name: conf
                latency_slo_ms: 100
                input: {shape: [64, 64, 3], dtype: float32}
                models_dir: models
                tasks:
                  - name: detect
                    variants:
                      - {name: d, accuracy: 1, model: d, recipe: {kind: detector, conv: [4], grid: 4, seed: 1}}
                  - name: classify
                    after: [detect]
                    input: {crops: {from: detect, boxes: boxes, scores: scores, min_score: 0.5, max: 8, size: [32, 32]}}
                    labels: {tensor: probabilities, top: 1, names: [person, chair, table, cup, laptop, phone, plant, door, window, screen]}
                    variants:
                      - {name: c-a, accuracy: 1, model: c-a, recipe: {conv: [8], dense: 10, seed: 1, train: 100}}
                      - {name: c-b, accuracy: 1, model: c-b, recipe: {conv: [8, 16], dense: 10, seed: 2, train: 100}}
                """);
        Graph graph = GraphLoader.load(graphFile);
        Path models = dir.resolve("models");
        TensorSpec crops = new TensorSpec(List.of(32, 32, 3), "float32");
        for (String v : List.of("c-a", "c-b")) {
            ModelRecipe recipe = graph.task("classify").orElseThrow().variant(v).orElseThrow().recipe().orElseThrow();
            TrainedModels.train(recipe, crops, models.resolve(v), new TrainedModels.Detections(0.5, 8), null, step -> { });
        }

        Path file = Confidences.write(graph, RecipeStamps.recipeFlow(graph), models).orElseThrow();

        List<ConfidenceCsv.Row> rows = ConfidenceCsv.read(file);
        assertThat(rows).hasSize(2 * Confidences.SAMPLES).allSatisfy(r -> assertThat(r.task()).isEqualTo("classify"));
        assertThat(rows).filteredOn(r -> r.variant().equals("c-a")).extracting(ConfidenceCsv.Row::sample)
                .containsExactlyElementsOf(java.util.stream.IntStream.range(0, Confidences.SAMPLES).boxed().toList());
        double chance = 1.0 / SceneGenerator.LABELS.size();
        for (String v : List.of("c-a", "c-b")) {
            List<ConfidenceCsv.Row> mine = rows.stream().filter(r -> r.variant().equals(v)).toList();
            double right = mine.stream().filter(ConfidenceCsv.Row::correct).count() / (double) mine.size();
            double meanTop = mine.stream().mapToDouble(ConfidenceCsv.Row::topScore).average().orElseThrow();
            assertThat(right).as("%s right on the validation crops", v).isGreaterThan(chance);
            assertThat(meanTop).as("%s's top class probability", v).isBetween(chance, 1.0);
        }
    }
}
