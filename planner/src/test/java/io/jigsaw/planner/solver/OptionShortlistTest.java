package io.jigsaw.planner.solver;

import io.jigsaw.planner.TinyGraph;
import io.jigsaw.planner.model.PlanEvaluator;
import io.jigsaw.planner.model.Policy;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class OptionShortlistTest {

    /**
     * d-s at 50 % serves a piece for the same share as at 100 % (half the throughput for half the GPU) and waits longer,
     * but one replica of it is half the share: a split of a few replicas needs it, so the full-load front keeps both.
     */
    @Test
    void theSplitsFrontKeepsAnOptionWhoseReplicaIsSmallerThoughNoCheaperPerPiece() {
        PlanEvaluator evaluator = new PlanEvaluator(TinyGraph.instance(Policy.JIGSAW));

        assertThat(OptionShortlist.fullLoadFront(evaluator, 0)).contains(TinyGraph.D_SMALL, TinyGraph.D_SMALL_HALF, TinyGraph.D_LARGE);
    }
}
