package io.jigsaw.planner.solver;

import io.jigsaw.planner.TinyGraph;
import io.jigsaw.planner.model.PlanEvaluator;
import io.jigsaw.planner.model.Policy;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static io.jigsaw.planner.TinyGraph.C_LARGE;
import static io.jigsaw.planner.TinyGraph.C_SMALL;
import static io.jigsaw.planner.TinyGraph.D_LARGE;
import static io.jigsaw.planner.TinyGraph.D_SMALL;
import static org.assertj.core.api.Assertions.assertThat;

/** On {@link TinyGraph}: accuracy SLO 0.9; d-s 0.8 / d-l 1.0, c-s 0.9 / c-l 1.0. */
class RefitMoveFactoryTest {

    private final PlanEvaluator evaluator = new PlanEvaluator(TinyGraph.instance(Policy.JIGSAW));
    private final TaskAssignment detect = new TaskAssignment(0, "detect", evaluator.options(0), evaluator, D_LARGE);
    private final TaskAssignment classify = new TaskAssignment(1, "classify", evaluator.options(1), evaluator, C_SMALL);
    private final List<TaskAssignment> plan = List.of(detect, classify);

    @Test
    void aLessAccurateDetectorTakesTheMostAccurateClassifierWithIt() {
        // d-s with c-s: 0.72; with c-l: 0.80, still short of 0.9 but the least short — the best score.
        ReassignMove move = RefitMoveFactory.refit(plan, detect, D_SMALL);
        assertThat(move.getPlanningEntities()).containsExactly(detect, classify);
        assertThat(move.getPlanningValues()).containsExactly(D_SMALL, C_LARGE);
    }

    @Test
    void tasksAlreadyAtTheirBestStayOutOfTheMove() {
        // Back to the plan as it is: nothing to re-fit, so the move is not doable.
        ReassignMove move = RefitMoveFactory.refit(plan, detect, D_LARGE);
        assertThat(move.getPlanningEntities()).isEmpty();
        assertThat(move.isMoveDoable(null)).isFalse();
    }

    @Test
    void drawsFromTheWorkingPlanAtRandom() {
        Random random = new Random(1);
        for (int i = 0; i < 20; i++) {
            ReassignMove move = RefitMoveFactory.draw(plan, random);
            move.getPlanningValues().forEach(o -> assertThat(evaluator.options(0).contains(o) || evaluator.options(1).contains(o)).isTrue());
        }
    }
}
