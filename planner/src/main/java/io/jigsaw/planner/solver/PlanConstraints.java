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
 * assignments and evaluates the plan ({@link PlanEvaluationCollector}; one shared collector instance,
 * so Bavet shares one evaluation node between the rules), then penalizes its own figure.
 * Units: hard penalties in hundredths of a GPU percent, microseconds and millionths of accuracy.
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

    Constraint gpuShareAtMost100(ConstraintFactory factory) {
        return evaluated(factory)
                .filter(e -> e.overflowShare() > 0)
                .penalizeLong(HardMediumSoftLongScore.ONE_HARD, e -> (long) Math.ceil(e.overflowShare() * 100))
                .asConstraint("gpuShareAtMost100");
    }

    Constraint pathMeetsLatencySlo(ConstraintFactory factory) {
        return evaluated(factory)
                .filter(e -> e.latencyExcessMs() > 0)
                .penalizeLong(HardMediumSoftLongScore.ONE_HARD, e -> (long) Math.ceil(e.latencyExcessMs() * 1000))
                .asConstraint("pathMeetsLatencySlo");
    }

    Constraint taskMeetsEvenBudget(ConstraintFactory factory) {
        return evaluated(factory)
                .filter(e -> e.budgetExcessMs() > 0)
                .penalizeLong(HardMediumSoftLongScore.ONE_HARD, e -> (long) Math.ceil(e.budgetExcessMs() * 1000))
                .asConstraint("taskMeetsEvenBudget");
    }

    Constraint accuracyMeetsSlo(ConstraintFactory factory) {
        return evaluated(factory)
                .filter(e -> e.accuracyShortfall() > 1e-12)
                .penalizeLong(HardMediumSoftLongScore.ONE_HARD, e -> (long) Math.ceil(e.accuracyShortfall() * 1e6))
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
