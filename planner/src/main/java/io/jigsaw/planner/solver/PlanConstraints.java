package io.jigsaw.planner.solver;

import io.jigsaw.planner.model.Evaluation;
import io.jigsaw.planner.model.Policy;
import org.optaplanner.core.api.score.buildin.hardmediumsoftlong.HardMediumSoftLongScore;
import org.optaplanner.core.api.score.stream.Constraint;
import org.optaplanner.core.api.score.stream.ConstraintFactory;
import org.optaplanner.core.api.score.stream.ConstraintProvider;
import org.optaplanner.core.api.score.stream.uni.UniConstraintStream;


/**
 * One method per rule of DESIGN.md. Rates, path latencies and accuracy depend on the whole graph (a
 * detector's variant changes the load on every task below it), so each rule first gathers all
 * assignments and evaluates the plan ({@link PlanEvaluationCollector}, which evaluates each plan once
 * for all the rules), then penalizes its own figure.
 * Units: hard penalties in hundredths of a GPU percent, microseconds and millionths of accuracy.
 * The rules share the Constraint Streams shape (gather, filter, penalize or reward, name) on purpose:
 * one readable stream per rule is what OptaPlanner's ConstraintVerifier specifies one by one.
 */
public final class PlanConstraints implements ConstraintProvider {

    @Override
    public Constraint[] defineConstraints(ConstraintFactory factory) {
        return new Constraint[] {
            gpuShareAtMost100(factory),
            pathMeetsLatencySlo(factory),
            taskMeetsEvenBudget(factory),
            accuracyMeetsSlo(factory),
            minimizeGpuShare(factory),
            maximizeAccuracy(factory),
            lokiMaximizeAccuracy(factory),
            lokiMinimizeGpuShare(factory)
        };
    }

    // One small method per rule, named as DESIGN.md reads it and specified alone with ConstraintVerifier: the
    // evaluated -> filter -> penalize shape repeats on purpose.
    Constraint gpuShareAtMost100(ConstraintFactory factory) {
        return evaluated(factory)
                .filter(e -> e.overflowShare() > 0)
                .penalizeLong(HardMediumSoftLongScore.ONE_HARD, PlanConstraints::overflowUnits)
                .asConstraint("gpuShareAtMost100");
    }

    Constraint pathMeetsLatencySlo(ConstraintFactory factory) {
        return evaluated(factory)
                .filter(e -> e.latencyExcessMs() > 0)
                .penalizeLong(HardMediumSoftLongScore.ONE_HARD, PlanConstraints::latencyExcessUnits)
                .asConstraint("pathMeetsLatencySlo");
    }

    Constraint taskMeetsEvenBudget(ConstraintFactory factory) {
        return evaluated(factory)
                .filter(e -> e.budgetExcessMs() > 0)
                .penalizeLong(HardMediumSoftLongScore.ONE_HARD, PlanConstraints::budgetExcessUnits)
                .asConstraint("taskMeetsEvenBudget");
    }

    Constraint accuracyMeetsSlo(ConstraintFactory factory) {
        return evaluated(factory)
                .filter(e -> accuracyShortfallUnits(e) > 0)
                .penalizeLong(HardMediumSoftLongScore.ONE_HARD, PlanConstraints::accuracyShortfallUnits)
                .asConstraint("accuracyMeetsSlo");
    }

    Constraint minimizeGpuShare(ConstraintFactory factory) {
        return evaluated(factory)
                .filter(e -> e.objective() == Policy.Objective.LEAST_SHARE_THEN_ACCURACY)
                .penalizeLong(HardMediumSoftLongScore.ONE_MEDIUM, PlanConstraints::shareUnits)
                .asConstraint("minimizeGpuShare");
    }

    Constraint maximizeAccuracy(ConstraintFactory factory) {
        return evaluated(factory)
                .filter(e -> e.objective() == Policy.Objective.LEAST_SHARE_THEN_ACCURACY)
                .rewardLong(HardMediumSoftLongScore.ONE_SOFT, PlanConstraints::accuracyUnits)
                .asConstraint("maximizeAccuracy");
    }

    /** Loki ranks accuracy first ("hardware scaling" only while the most accurate plan fits). */
    Constraint lokiMaximizeAccuracy(ConstraintFactory factory) {
        return evaluated(factory)
                .filter(e -> e.objective() == Policy.Objective.ACCURACY_THEN_LEAST_SHARE)
                .rewardLong(HardMediumSoftLongScore.ONE_MEDIUM, PlanConstraints::accuracyUnits)
                .asConstraint("lokiMaximizeAccuracy");
    }

    Constraint lokiMinimizeGpuShare(ConstraintFactory factory) {
        return evaluated(factory)
                .filter(e -> e.objective() == Policy.Objective.ACCURACY_THEN_LEAST_SHARE)
                .penalizeLong(HardMediumSoftLongScore.ONE_SOFT, PlanConstraints::shareUnits)
                .asConstraint("lokiMinimizeGpuShare");
    }

    /**
     * The score all the rules above give one plan, without a score director: for moves that compare
     * candidate plans before proposing one ({@link RefitMoveFactory}). A rule's filter only drops zeros,
     * so the sum needs none; a unit test checks it against ConstraintVerifier.
     */
    static HardMediumSoftLongScore scoreOf(Evaluation e) {
        long hard = overflowUnits(e) + latencyExcessUnits(e) + budgetExcessUnits(e) + accuracyShortfallUnits(e);
        return e.objective() == Policy.Objective.LEAST_SHARE_THEN_ACCURACY
                ? HardMediumSoftLongScore.of(-hard, -shareUnits(e), accuracyUnits(e))
                : HardMediumSoftLongScore.of(-hard, accuracyUnits(e), -shareUnits(e));
    }

    static long overflowUnits(Evaluation e) {
        return (long) Math.ceil(e.overflowShare() * 100);
    }

    static long latencyExcessUnits(Evaluation e) {
        return (long) Math.ceil(e.latencyExcessMs() * 1000);
    }

    static long budgetExcessUnits(Evaluation e) {
        return (long) Math.ceil(e.budgetExcessMs() * 1000);
    }

    /** Rounding noise of the accuracy product (below 1e-12) is no shortfall. */
    static long accuracyShortfallUnits(Evaluation e) {
        return e.accuracyShortfall() > 1e-12 ? (long) Math.ceil(e.accuracyShortfall() * 1e6) : 0;
    }

    static long shareUnits(Evaluation e) {
        return Math.round(e.totalShare() * 100);
    }

    static long accuracyUnits(Evaluation e) {
        return Math.round(e.accuracy() * 1e6);
    }

    private static UniConstraintStream<Evaluation> evaluated(ConstraintFactory factory) {
        return factory.forEach(TaskAssignment.class).groupBy(PlanEvaluationCollector.INSTANCE);
    }
}
