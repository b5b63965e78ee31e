package io.jigsaw.operators;

import io.jigsaw.core.graph.Graph;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** DJL on the TensorFlow engine, offline, on the SavedModels `models` built for the demo. */
class DjlVariantRunnerTest {

    final Graph graph = DemoGraph.load();

    @Test
    void aBatchOfFramesGivesOneSoftmaxScorePerFrame() throws Exception {
        try (VariantRunner runner = DjlVariantRunner.factory().open(graph, "classify")) {
            float[] scores = runner.predict("classify-m", 1, List.of(DemoGraph.frame(1), DemoGraph.frame(2), DemoGraph.frame(3)));

            assertThat(scores).hasSize(3);
            for (float s : scores) {
                // Top softmax score over 10 classes: at least 1/10, at most 1.
                assertThat(s).isBetween(0.1f, 1.0f);
            }
        }
    }

    @Test
    void theSameFrameScoresTheSameWhateverItsBatch() throws Exception {
        try (VariantRunner runner = DjlVariantRunner.factory().open(graph, "detect")) {
            float alone = runner.predict("detect-s", 2, List.of(DemoGraph.frame(7)))[0];
            float inBatch = runner.predict("detect-s", 2, List.of(DemoGraph.frame(8), DemoGraph.frame(7)))[1];

            assertThat(inBatch).isCloseTo(alone, org.assertj.core.data.Offset.offset(1e-5f));
        }
    }

    @Test
    void anUnknownVariantIsNamed() {
        try (VariantRunner runner = DjlVariantRunner.factory().open(graph, "detect")) {
            assertThatThrownBy(() -> runner.prepare("detect-xl", 1)).hasMessageContaining("no variant detect-xl");
        }
    }
}
