package io.jigsaw.planner.online;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class DemandEstimatorTest {

    @Test
    void sumsTheReplicasOfTheRootTask() {
        DemandEstimator e = new DemandEstimator(5_000, 3_000);
        e.observe(0, 1_000, 1_000, 30);
        e.observe(1, 1_000, 1_000, 10);

        assertThat(e.estimateRps(1_000)).isCloseTo(40, within(1e-9));
    }

    @Test
    void followsAStepWithItsTimeConstant() {
        DemandEstimator e = new DemandEstimator(5_000, 3_000);
        e.observe(0, 1_000, 1_000, 10);
        for (long end = 2_000; end <= 6_000; end += 1_000) {
            e.observe(0, end, 1_000, 110);
        }
        // Five 1 s windows at 110 after 10: one time constant, 63 % of the way.
        assertThat(e.estimateRps(6_000)).isCloseTo(10 + 100 * (1 - Math.exp(-1)), within(1e-6));
    }

    @Test
    void aSilentReplicaStopsCountingAndNoTelemetryMeansNoEstimate() {
        DemandEstimator e = new DemandEstimator(5_000, 3_000);
        assertThat(e.hasEstimate(0)).isFalse();
        e.observe(0, 1_000, 1_000, 20);
        e.observe(1, 1_000, 1_000, 20);
        e.observe(0, 5_000, 1_000, 20);

        assertThat(e.estimateRps(5_000)).isCloseTo(20, within(1e-9));
        assertThat(e.hasEstimate(9_000)).isFalse();
    }

    @Test
    void aRepeatedOrLateWindowIsIgnored() {
        DemandEstimator e = new DemandEstimator(5_000, 3_000);
        e.observe(0, 2_000, 1_000, 20);
        e.observe(0, 2_000, 1_000, 500);
        e.observe(0, 1_000, 1_000, 500);

        assertThat(e.estimateRps(2_000)).isCloseTo(20, within(1e-9));
    }
}
