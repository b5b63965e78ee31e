package io.jigsaw.runtime;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.TensorSpec;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** DJL on the TensorFlow engine, offline, on the SavedModels `models` built for the demo. */
class DjlVariantRunnerTest {

    final Graph graph = DemoModels.graph();

    @Test
    void aDetectorGivesABoxAndAScorePerGridCellForEachFrame() throws Exception {
        try (VariantRunner runner = DjlVariantRunner.factory().open(graph, "detect")) {
            List<Map<String, float[]>> out = runner.predict("detect-m", 1, List.of(DemoModels.frame(1), DemoModels.frame(2)),
                    new int[] {64, 64, 3});

            assertThat(out).hasSize(2).allSatisfy(o -> {
                assertThat(o).containsOnlyKeys("boxes", "scores");
                assertThat(o.get("scores")).hasSize(16);
                for (float s : o.get("scores")) {
                    assertThat(s).isBetween(0f, 1f);
                }
                // Cell (row 1, column 2) of the 4x4 grid spans x 0.5..0.75, y 0.25..0.5: its box is centred within
                // half a cell of the cell's centre (the trained head moves it at most that far).
                float[] b = java.util.Arrays.copyOfRange(o.get("boxes"), 6 * 4, 6 * 4 + 4);
                assertThat((b[0] + b[2]) / 2).isBetween(0.5f, 0.75f);
                assertThat((b[1] + b[3]) / 2).isBetween(0.25f, 0.5f);
                assertThat(b[2]).isGreaterThan(b[0]);
                assertThat(b[3]).isGreaterThan(b[1]);
            });
        }
    }

    @Test
    void aClassifierOfCropsGivesSoftmaxProbabilities() throws Exception {
        try (VariantRunner runner = DjlVariantRunner.factory().open(graph, "classify")) {
            byte[] crop = new byte[32 * 32 * 3 * 4];

            float[] p = runner.predict("classify-s", 1, List.of(crop), new int[] {32, 32, 3}).get(0).get("probabilities");

            float sum = 0;
            for (float v : p) {
                sum += v;
            }
            assertThat(p).hasSize(10);
            assertThat(sum).isCloseTo(1f, within(1e-4f));
        }
    }

    @Test
    void theSameFrameScoresTheSameWhateverItsBatch() throws Exception {
        try (VariantRunner runner = DjlVariantRunner.factory().open(graph, "detect")) {
            int[] shape = {64, 64, 3};
            float[] alone = runner.predict("detect-s", 2, List.of(DemoModels.frame(7)), shape).get(0).get("scores");
            float[] inBatch = runner.predict("detect-s", 2, List.of(DemoModels.frame(8), DemoModels.frame(7)), shape).get(1).get("scores");

            for (int i = 0; i < alone.length; i++) {
                assertThat(inBatch[i]).isCloseTo(alone[i], within(1e-5f));
            }
        }
    }

    @Test
    void everyBuiltModelMatchesWhatTheGraphFeedsIt() {
        var flow = SavedModelSignatures.check(graph);

        assertThat(flow.input("classify")).contains(new TensorSpec(List.of(32, 32, 3), "float32"));
        assertThat(flow.input("fuse")).contains(new TensorSpec(List.of(88), "float32"));
    }

    @Test
    void anInputOfTheWrongSizeIsNamed() {
        try (VariantRunner runner = DjlVariantRunner.factory().open(graph, "classify")) {
            assertThatThrownBy(() -> runner.predict("classify-s", 1, List.of(new byte[12]), new int[] {1, 1, 3}))
                    .hasMessageContaining("task classify, variant classify-s: an input of 12 bytes where the model takes [32, 32, 3] float32");
        }
    }

    @Test
    void aSessionNotRetainedIsClosedAndLoadedAgainWhenRunLater() throws Exception {
        try (VariantRunner runner = DjlVariantRunner.factory().open(graph, "classify")) {
            runner.prepare("classify-s", 1);
            runner.prepare("classify-s", 2);
            runner.prepare("classify-m", 1);
            assertThat(runner.sessionsHeld()).isEqualTo(3);

            runner.retain(java.util.Set.of(new VariantRunner.Session("classify-m", 1)));
            assertThat(runner.sessionsHeld()).isEqualTo(1);

            float[] p = runner.predict("classify-s", 2, List.of(new byte[32 * 32 * 3 * 4]), new int[] {32, 32, 3})
                    .get(0).get("probabilities");
            assertThat(p).hasSize(10);
            assertThat(runner.sessionsHeld()).isEqualTo(2);
        }
    }

    @Test
    void anUnknownVariantIsNamed() {
        try (VariantRunner runner = DjlVariantRunner.factory().open(graph, "detect")) {
            assertThatThrownBy(() -> runner.prepare("detect-xl", 1)).hasMessageContaining("no variant detect-xl");
        }
    }
}
