package io.jigsaw.core.serving;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class DrawsTest {

    @Test
    void aPieceFansOutToTheFloorOfTheMeanPlusOneWithTheFractionsProbability() {
        assertThat(Draws.copies(2.0, 0.99)).isEqualTo(2);
        assertThat(Draws.copies(2.25, 0.24)).isEqualTo(3);
        assertThat(Draws.copies(2.25, 0.25)).isEqualTo(2);
        assertThat(Draws.copies(0.0, 0.0)).isZero();
    }

    @Test
    void uniformDrawsFanOutTheMeanOnAverage() {
        SplittableRandom random = new SplittableRandom(1);
        long total = 0;
        for (int i = 0; i < 100_000; i++) {
            total += Draws.copies(1.3, random.nextDouble());
        }
        assertThat(total / 100_000.0).isCloseTo(1.3, within(0.01));
    }

    @Test
    void aPieceGoesToEachReplicaInProportionToItsWeight() {
        double[] weights = {0.6, 0.2, 0.2};
        assertThat(Draws.replica(weights, 0.59)).isZero();
        assertThat(Draws.replica(weights, 0.61)).isEqualTo(1);
        assertThat(Draws.replica(weights, 0.99)).isEqualTo(2);
        assertThat(Draws.replica(new double[] {3, 1}, 0.74)).as("weights need not sum to 1").isZero();
    }
}
