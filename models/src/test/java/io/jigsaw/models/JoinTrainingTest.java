package io.jigsaw.models;

import io.jigsaw.core.graph.AccuracyCsv;
import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.GraphLoader;
import io.jigsaw.core.graph.RecipeStamps;
import io.jigsaw.core.scene.Scene;
import io.jigsaw.core.scene.SceneGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A trained join learns from what the models above it answer, laid out as the job lays it out; a
 * damaged model is rebuilt, not served.
 */
class JoinTrainingTest {

    /** A hand-set detector of bright cells, crops to a random classifier and a random regressor, a trained join. */
    private static final String GRAPH = """
            name: join
            latency_slo_ms: 1000
            input: {shape: [64, 64, 3], dtype: float32}
            models_dir: models
            tasks:
              - name: find
                variants: [{name: find-bright, accuracy: 1, recipe: {kind: brightness, grid: 4}}]
              - name: name
                after: [find]
                input: {crops: {from: find, min_score: 0.5, max: 3, size: [16, 16]}}
                variants: [{name: name-s, accuracy: 1, recipe: {conv: [4], dense: 3, seed: 7}}]
              - name: far
                after: [find]
                input: {crops: {from: find, min_score: 0.5, max: 3, size: [16, 16]}}
                variants: [{name: far-s, accuracy: 1, recipe: {kind: regressor, conv: [4], dense: 1, seed: 8}}]
              - name: both
                after: [name, far]
                input: {join: [{from: name, tensor: probabilities}, {from: far, tensor: value}]}
                variants: [{name: both-s, recipe: {kind: mlp, hidden: [4], dense: 11, seed: 9, train: 20}}]
            """;

    @TempDir
    Path dir;

    @Test
    void joinExamplesAreTheUpstreamAnswersInObjectOrderZeroPaddedAndTheSceneAnswerIsTheTarget() throws Exception {
        Path file = Files.writeString(dir.resolve("graph.yaml"), GRAPH);
        assertThat(models(file).exit()).isZero();
        Graph graph = GraphLoader.load(file);
        List<Scene> scenes = new SceneBatches(5, SceneGenerator.Split.TEST).scenes(60);

        SceneBatches.Batch b;
        try (UpstreamJoins upstream = UpstreamJoins.open(graph, RecipeStamps.recipeFlow(graph), "both", dir.resolve("models"))) {
            assertThat(upstream.describe()).isEqualTo("find-bright, name-s, far-s");
            b = upstream.examples(scenes);
        }

        int width = 3 * 3 + 3;
        assertThat(b.inputs()).hasSize(scenes.size() * width);
        int withObjects = 0;
        for (int i = 0; i < scenes.size(); i++) {
            int named = 0;
            for (int k = 0; k < 3; k++) {
                double sum = 0;
                for (int c = 0; c < 3; c++) {
                    sum += b.inputs()[i * width + k * 3 + c];
                }
                // A slot holds a classifier's probabilities or nothing, and the filled ones come first.
                assertThat(Math.min(sum, Math.abs(1 - sum))).as("scene %d, object %d: probabilities or zeros", i, k).isLessThan(1e-5);
                if (sum > 0.5) {
                    assertThat(k).isEqualTo(named);
                    named++;
                }
            }
            int distances = 0;
            for (int k = 0; k < 3; k++) {
                distances += b.inputs()[i * width + 9 + k] > 0 ? 1 : 0;
            }
            assertThat(distances).as("scene %d: both branches see the same boxes", i).isEqualTo(named);
            withObjects += named > 0 ? 1 : 0;
            assertThat(b.targets()[i * 11 + scenes.get(i).nearestLabel()]).isEqualTo(1f);
        }
        assertThat(withObjects).as("the bright-cell detector finds something in some scenes").isPositive();

        AccuracyCsv.Row row = AccuracyCsv.read(dir.resolve("models").resolve(AccuracyCsv.FILE)).stream()
                .filter(r -> r.variant().equals("both-s")).findFirst().orElseThrow();
        assertThat(row.metric()).as("as stored: a CSV field holds no commas").endsWith("from the answers of find-bright; name-s; far-s");
    }

    @Test
    void aDamagedModelIsRebuiltAndSaysWhy() throws Exception {
        Path file = Files.writeString(dir.resolve("graph.yaml"), GRAPH);
        assertThat(models(file).exit()).isZero();
        Path pb = dir.resolve("models/name-s/saved_model.pb");
        byte[] bytes = Files.readAllBytes(pb);
        Files.write(pb, java.util.Arrays.copyOf(bytes, bytes.length / 2));

        Run again = models(file);

        assertThat(again.exit()).isZero();
        assertThat(again.err()).contains("rebuilding name-s").contains("saved_model.pb changed since it was built");
        assertThat(Files.readAllBytes(pb)).hasSizeGreaterThan(bytes.length / 2);
        assertThat(again.err()).contains("1 built, 3 up to date");
    }

    private record Run(int exit, String err) {
    }

    private Run models(Path graph) {
        PrintStream before = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true));
        try {
            int exit = new CommandLine(new ModelsMain()).execute("--graph", graph.toString());
            return new Run(exit, err.toString());
        } finally {
            System.setErr(before);
        }
    }
}
