package io.jigsaw.core.graph;

import io.jigsaw.core.input.InputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What each edge carries, resolved from the graph and its models' signatures, and every mismatch named. */
class DataflowTest {

    /** The demo's shape: a detector, crops to a classifier and a depth regressor, a join of both. */
    static final String SCENE = """
            name: scene
            latency_slo_ms: 400
            input: {shape: [64, 64, 3], dtype: float32}
            outputs: [classify, depth, fuse]
            tasks:
              - name: detect
                variants: [{name: d, accuracy: 1, recipe: {kind: detector, conv: [8], grid: 4}}]
              - name: classify
                after: [detect]
                input: {crops: {from: detect, min_score: 0.5, max: 8, size: [32, 32]}}
                labels: {tensor: probabilities, top: 2, names: [a, b, c]}
                variants: [{name: c, accuracy: 1, recipe: {conv: [8], dense: 3}}]
              - name: depth
                after: [detect]
                input: {crops: {from: detect, max: 4, size: [16, 16]}}
                variants: [{name: z, accuracy: 1, recipe: {kind: regressor, conv: [8], dense: 1}}]
              - name: fuse
                after: [classify, depth]
                input: {join: [{from: classify, tensor: probabilities}, {from: depth, tensor: value}]}
                variants: [{name: f, accuracy: 1, recipe: {kind: mlp, hidden: [16], dense: 5}}]
            """;

    @TempDir
    Path dir;

    Graph load(String yaml) throws IOException {
        return GraphLoader.load(Files.writeString(dir.resolve("graph.yaml"), yaml));
    }

    static Dataflow.Signatures fromRecipes() {
        return (task, variant, input) -> variant.recipe().map(r -> ModelSignature.ofRecipe(r, input));
    }

    @Test
    void eachTaskIsFedWhatItsInputSays() throws IOException {
        Graph g = load(SCENE);

        Dataflow flow = Dataflow.resolve(g, fromRecipes());

        assertThat(flow.input("detect").orElseThrow().shape()).containsExactly(64, 64, 3);
        assertThat(flow.input("classify").orElseThrow().shape()).containsExactly(32, 32, 3);
        assertThat(flow.input("depth").orElseThrow().shape()).containsExactly(16, 16, 3);
        // 8 crops x 3 probabilities, then 4 crops x 1 depth value.
        assertThat(flow.input("fuse").orElseThrow().shape()).containsExactly(8 * 3 + 4);
        assertThat(flow.join("fuse")).containsExactly(new Dataflow.JoinBranch("classify", "probabilities", 8, 3),
                new Dataflow.JoinBranch("depth", "value", 4, 1));
        assertThat(g.outputs()).containsExactly("classify", "depth", "fuse");
        assertThat(g.task("classify").orElseThrow().labels().orElseThrow().names()).containsExactly("a", "b", "c");
    }

    @Test
    void aModelThatTakesTheWrongShapeIsNamedWithExpectedAndFound() throws IOException {
        Graph g = load(SCENE);
        Dataflow.Signatures saved = (task, variant, input) -> task.name().equals("classify")
                ? Optional.of(new ModelSignature(Map.of("input", new TensorSpec(List.of(64, 64, 3), "float32")),
                        Map.of("probabilities", new TensorSpec(List.of(3), "float32")), "models/c"))
                : fromRecipes().of(task, variant, input);

        assertThatThrownBy(() -> Dataflow.resolve(g, saved)).isInstanceOf(InputException.class)
                .hasMessageContaining(dir.resolve("graph.yaml").toString())
                .hasMessageContaining("task classify, variant c, tensor input")
                .hasMessageContaining("expected [32, 32, 3] float32 (crops of detect's input at 32x32), found [64, 64, 3] float32 in models/c");
    }

    @Test
    void aTensorTheParentDoesNotOutputIsNamedWithWhatItHas() throws IOException {
        Graph g = load(SCENE.replace("tensor: value", "tensor: distance"));

        assertThatThrownBy(() -> Dataflow.resolve(g, fromRecipes())).isInstanceOf(InputException.class)
                .hasMessageContaining("task depth, variant z, tensor distance")
                .hasMessageContaining("task 'fuse' reads output 'distance', which the model (its recipe) does not have; its outputs: [value]");
    }

    @Test
    void cropsNeedBoxesAndScoresOfTheDetector() throws IOException {
        Graph g = load(SCENE);
        Dataflow.Signatures saved = (task, variant, input) -> task.name().equals("detect")
                ? Optional.of(new ModelSignature(Map.of("input", input), Map.of("boxes", new TensorSpec(List.of(16, 5), "float32"),
                        "scores", new TensorSpec(List.of(16), "float32")), "models/d"))
                : fromRecipes().of(task, variant, input);

        assertThatThrownBy(() -> Dataflow.resolve(g, saved)).isInstanceOf(InputException.class)
                .hasMessageContaining("task detect, tensor boxes, scores")
                .hasMessageContaining("need boxes [K, 4] and scores [K], found [16, 5] and [16]");
    }

    @Test
    void labelsMustNameEveryEntry() throws IOException {
        Graph g = load(SCENE.replace("names: [a, b, c]", "names: [a, b]"));

        assertThatThrownBy(() -> Dataflow.resolve(g, fromRecipes())).isInstanceOf(InputException.class)
                .hasMessageContaining("task classify, variant c, tensor probabilities")
                .hasMessageContaining("expected 2 entries, one per label, found [3]");
    }

    @Test
    void aJoinMustNameEachParentOnce() throws IOException {
        assertThatThrownBy(() -> load(SCENE.replace("{from: depth, tensor: value}", "{from: classify, tensor: probabilities}")))
                .isInstanceOf(InputException.class)
                .hasMessageContaining("task fuse, input.join")
                .hasMessageContaining("a join names each of its parents [classify, depth] once, found [classify, classify]");
    }

    @Test
    void cropsComeFromTheTasksOwnParent() throws IOException {
        assertThatThrownBy(() -> load(SCENE.replace("input: {crops: {from: detect, max: 4", "input: {crops: {from: classify, max: 4")))
                .isInstanceOf(InputException.class)
                .hasMessageContaining("task depth, input.from")
                .hasMessageContaining("'classify' is not the one parent of 'depth'");
    }

    @Test
    void anUnknownInputFormIsAnError() throws IOException {
        assertThatThrownBy(() -> load(SCENE.replace("input: {crops: {from: detect, max: 4, size: [16, 16]}}", "input: frames")))
                .isInstanceOf(InputException.class)
                .hasMessageContaining("tasks[2].input")
                .hasMessageContaining("expected 'frame', {from: <task>, tensor: <name>}, {crops: {...}} or {join: [...]}, found 'frames'");
    }

    @Test
    void maxPiecesFollowCropsAndJoins() throws IOException {
        Graph g = load(SCENE);

        assertThat(g.maxPieces("detect")).isEqualTo(1);
        assertThat(g.maxPieces("classify")).isEqualTo(8);
        assertThat(g.maxPieces("depth")).isEqualTo(4);
        assertThat(g.maxPieces("fuse")).isEqualTo(1);
        assertThat(g.frameNeededBelow("detect")).isFalse();
    }
}
