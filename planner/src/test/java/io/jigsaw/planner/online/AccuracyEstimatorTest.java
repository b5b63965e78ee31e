package io.jigsaw.planner.online;

import io.jigsaw.core.graph.Combinations;
import io.jigsaw.core.graph.Graph;
import io.jigsaw.planner.TinyGraph;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Live scores replace offline accuracies once trusted: a variant's, and a measured combination's end to end. */
class AccuracyEstimatorTest {

    private static Graph withCombinations() {
        return TinyGraph.graph().withCombinations(new Combinations(List.of("detect", "classify"),
                List.of(List.of("d-s", "d-l"), List.of("c-s", "c-l")), new double[] {0.50, 0.75, 0.45, 0.80}, new double[4][2], 1000));
    }

    @Test
    void aCombinationsLiveEndToEndScoreReplacesItsOfflineFigureOnceEnoughRequestsWereScored() {
        AccuracyEstimator e = new AccuracyEstimator();
        String key = Combinations.key(List.of("d-l", "c-l"));
        e.observe(Combinations.TELEMETRY_TASK, key, AccuracyEstimator.MIN_SCORED - 1, 0.7 * (AccuracyEstimator.MIN_SCORED - 1));
        assertThat(e.apply(withCombinations()).measuredCombinations().orElseThrow().live()).as("too few scored yet").isZero();

        e.observe(Combinations.TELEMETRY_TASK, key, 1, 0.7);
        Combinations live = e.apply(withCombinations()).measuredCombinations().orElseThrow();

        assertThat(live.endToEnd()[live.index(List.of("d-l", "c-l"))]).isCloseTo(0.7, within(1e-9));
        assertThat(live.endToEnd()[live.index(List.of("d-s", "c-s"))]).as("not measured live: the file's").isEqualTo(0.50);
        assertThat(live.describe()).contains("1 of them re-MEASURED live");
        assertThat(AccuracyEstimator.largestChange(withCombinations(), e.apply(withCombinations()))).isCloseTo(0.1, within(1e-9));
    }
}
