package io.jigsaw.core.scene;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The metrics, against cases worked by hand. */
class ScoringTest {

    @Test
    void iouIsIntersectionOverUnion() {
        // Two 0.2 x 0.2 boxes overlapping by half of one side: 0.02 / (0.04 + 0.04 - 0.02) = 1/3.
        assertThat(Scoring.iou(new float[] {0, 0, 0.2f, 0.2f}, new float[] {0.1f, 0, 0.3f, 0.2f})).isCloseTo(1 / 3.0, within(1e-6));
        assertThat(Scoring.iou(new float[] {0, 0, 0.1f, 0.1f}, new float[] {0.5f, 0.5f, 0.6f, 0.6f})).isZero();
    }

    @Test
    void f1CountsEachTrueBoxOnceBestScoreFirst() {
        List<float[]> truth = List.of(new float[] {0, 0, 0.2f, 0.2f}, new float[] {0.5f, 0.5f, 0.7f, 0.7f});
        // Two boxes on the first object (the second is a duplicate: a false positive), none on the second, one on nothing.
        List<float[]> predicted = List.of(new float[] {0, 0, 0.2f, 0.2f}, new float[] {0.01f, 0, 0.21f, 0.2f},
                new float[] {0.8f, 0.8f, 0.9f, 0.9f});

        Scoring.Matching m = Scoring.match(predicted, truth);

        assertThat(m.truthOf()).containsExactly(0, -1, -1);
        // tp 1, fp 2, fn 1: 2·1 / (3 + 2) = 0.4.
        assertThat(m.f1()).isCloseTo(0.4, within(1e-9));
        assertThat(Scoring.match(List.of(), List.of()).f1()).isEqualTo(1);
        assertThat(Scoring.match(List.of(), truth).f1()).isZero();
    }

    @Test
    void top1AndTolerance() {
        assertThat(Scoring.argmax(new float[] {0.1f, 0.7f, 0.2f})).isEqualTo(1);
        assertThat(Scoring.within(2.4, 2.0)).isTrue();
        assertThat(Scoring.within(2.6, 2.0)).isFalse();
    }
}
