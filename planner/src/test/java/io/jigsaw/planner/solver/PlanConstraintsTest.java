package io.jigsaw.planner.solver;

import io.jigsaw.planner.TinyGraph;
import io.jigsaw.planner.model.PlanEvaluator;
import io.jigsaw.planner.model.Policy;
import io.jigsaw.planner.model.TaskOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.optaplanner.test.api.score.stream.ConstraintVerifier;

import static io.jigsaw.planner.TinyGraph.C_LARGE;
import static io.jigsaw.planner.TinyGraph.C_SMALL;
import static io.jigsaw.planner.TinyGraph.C_SMALL_HALF;
import static io.jigsaw.planner.TinyGraph.D_LARGE;
import static io.jigsaw.planner.TinyGraph.D_SMALL;
import static io.jigsaw.planner.TinyGraph.D_SMALL_HALF;

/**
 * One specification per rule, on {@link TinyGraph} at 40 req/s (so 80 pieces/s reach classify).
 * Units: hundredths of a GPU percent, microseconds, millionths of accuracy. The specifications share a
 * shape on purpose: each reads "given this plan, the rule penalizes by this much" (STYLE.md); a shared
 * helper would hide exactly what a reader checks.
 */
class PlanConstraintsTest {

    private final ConstraintVerifier<PlanConstraints, GraphPlan> verifier =
            ConstraintVerifier.build(new PlanConstraints(), GraphPlan.class, TaskAssignment.class);

    @Test
    void twoWholeGpusOnOneGpuOverflowByOneGpu() {
        // d-l: 40/s of 50/s → 1 replica at 100 %; c-l: 80/s of 100/s → 1 replica at 100 %.
        verifier.verifyThat(PlanConstraints::gpuShareAtMost100)
                .given(plan(Policy.JIGSAW, D_LARGE, C_LARGE))
                .penalizesBy(100 * 100);
    }

    @Test
    void twoHalvesFillOneGpuExactly() {
        // d-s at 50 %: 40/s of 50/s; c-s at 50 %: 80/s of 100/s; one replica each.
        verifier.verifyThat(PlanConstraints::gpuShareAtMost100)
                .given(plan(Policy.JIGSAW, D_SMALL_HALF, C_SMALL_HALF))
                .penalizesBy(0);
    }

    @Test
    void pathOverTheSloIsPenalizedByItsExcess() {
        // Batch 1, no fill wait: bound = 2 × batch time. d-l 40 ms + c-l 20 ms = 60 ms on a 50 ms SLO.
        verifier.verifyThat(PlanConstraints::pathMeetsLatencySlo)
                .given(plan(Policy.JIGSAW, D_LARGE, C_LARGE))
                .penalizesBy(10_000);
        verifier.verifyThat(PlanConstraints::pathMeetsLatencySlo)
                .given(plan(Policy.JIGSAW, D_SMALL, C_SMALL))
                .penalizesBy(0);
    }

    @Test
    void lokiChecksExecutionTimesAgainstHalfTheSlo() {
        // d-l 20 ms + c-l 10 ms = 30 ms against 25 ms.
        verifier.verifyThat(PlanConstraints::pathMeetsLatencySlo)
                .given(plan(Policy.LOKI, D_LARGE, C_LARGE))
                .penalizesBy(5_000);
    }

    @Test
    void evenBudgetsGiveEachTaskHalfOfTheSlo() {
        // 25 ms each: d-l's 40 ms bound is 15 ms over, c-s's 10 ms is within.
        verifier.verifyThat(PlanConstraints::taskMeetsEvenBudget)
                .given(plan(Policy.EVEN_BUDGET, D_LARGE, C_SMALL))
                .penalizesBy(15_000);
        verifier.verifyThat(PlanConstraints::taskMeetsEvenBudget)
                .given(plan(Policy.JIGSAW, D_LARGE, C_SMALL))
                .penalizesBy(0);
    }

    @Test
    void accuracyUnderTheSloIsPenalizedByTheShortfall() {
        // 0.8 × 1.0 = 0.80 against 0.9 × best (1.0).
        verifier.verifyThat(PlanConstraints::accuracyMeetsSlo)
                .given(plan(Policy.JIGSAW, D_SMALL, C_LARGE))
                .penalizesBy(100_000);
        verifier.verifyThat(PlanConstraints::accuracyMeetsSlo)
                .given(plan(Policy.JIGSAW, D_LARGE, C_SMALL))
                .penalizesBy(0);
    }

    @Test
    void jigsawMinimizesShareThenMaximizesAccuracy() {
        verifier.verifyThat(PlanConstraints::minimizeGpuShare)
                .given(plan(Policy.JIGSAW, D_SMALL_HALF, C_SMALL))
                .penalizesBy(150 * 100);
        verifier.verifyThat(PlanConstraints::maximizeAccuracy)
                .given(plan(Policy.JIGSAW, D_SMALL_HALF, C_SMALL))
                .rewardsWith(720_000);
    }

    @Test
    void lokiMaximizesAccuracyFirstAndOnlyThenSaves() {
        verifier.verifyThat(PlanConstraints::lokiMaximizeAccuracy)
                .given(plan(Policy.LOKI, D_SMALL, C_SMALL))
                .rewardsWith(720_000);
        verifier.verifyThat(PlanConstraints::lokiMinimizeGpuShare)
                .given(plan(Policy.LOKI, D_SMALL, C_SMALL))
                .penalizesBy(200 * 100);
        verifier.verifyThat(PlanConstraints::minimizeGpuShare)
                .given(plan(Policy.LOKI, D_SMALL, C_SMALL))
                .penalizesBy(0);
    }

    @ParameterizedTest
    @EnumSource(Policy.class)
    void scoreOfIsWhatAllTheRulesTogetherGive(Policy policy) {
        // Feasible, over the SLO, over the GPU, short of accuracy: every rule that fires is in the sum.
        for (TaskOption[] choice : new TaskOption[][] {
                {D_SMALL_HALF, C_SMALL_HALF}, {D_LARGE, C_LARGE}, {D_SMALL, C_LARGE}, {D_LARGE, C_SMALL}}) {
            PlanEvaluator evaluator = new PlanEvaluator(TinyGraph.instance(policy));
            verifier.verifyThat()
                    .given(plan(policy, choice[0], choice[1]))
                    .scores(PlanConstraints.scoreOf(evaluator.evaluate(choice, false)));
        }
    }

    private static Object[] plan(Policy policy, TaskOption detect, TaskOption classify) {
        PlanEvaluator evaluator = new PlanEvaluator(TinyGraph.instance(policy));
        return new Object[] {
            new TaskAssignment(0, "detect", evaluator.options(0), evaluator, detect),
            new TaskAssignment(1, "classify", evaluator.options(1), evaluator, classify)
        };
    }
}
