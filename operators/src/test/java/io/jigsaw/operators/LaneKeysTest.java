package io.jigsaw.operators;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class LaneKeysTest {

    /** A split task's replicas take the fractions of the pieces the plan gave them, and a piece always goes to the same one. */
    @Test
    void piecesGoToLanesInProportionToThePlannedWeightsAndStablyPerPiece() {
        LaneKeys lanes = LaneKeys.of(3, 128);
        double[] weights = {0.2, 0.5, 0.3};
        Map<Integer, Integer> counts = new HashMap<>();
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            Piece p = DemoGraph.piece("req-" + i, 1000);
            p.lineage = "detect:" + (i % 3);
            int key = lanes.keyForPiece(p, weights);
            assertThat(lanes.keyForPiece(p, weights)).isEqualTo(key);
            counts.merge(key, 1, Integer::sum);
        }
        for (int lane = 0; lane < 3; lane++) {
            assertThat(counts.getOrDefault(lanes.keyFor(lane), 0) / (double) n).as("lane %d", lane).isCloseTo(weights[lane], within(0.02));
        }
    }
}
