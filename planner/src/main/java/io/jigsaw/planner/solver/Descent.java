package io.jigsaw.planner.solver;

import io.jigsaw.planner.model.PlanEvaluator;
import io.jigsaw.planner.model.Spill;
import io.jigsaw.planner.model.TaskOption;
import org.optaplanner.core.api.score.buildin.hardmediumsoftlong.HardMediumSoftLongScore;

import java.util.List;
import java.util.function.Supplier;

/**
 * Steepest descent over one task's option or split at a time, every value of its lists tried, until no change
 * improves the score. The local search samples its moves (500 a step among thousands of split values), so it can
 * end one change away from a better plan — a second group of the classifier at 30 % where one at 20 % serves the
 * same pieces, at Loki's app's capacity; trying every single change once more costs a few hundred evaluations.
 */
final class Descent {

    /** Sweeps at most this many times (each sweep that improves lowers the score, so this only guards the loop). */
    private static final int MAX_SWEEPS = 100;

    private Descent() {
    }

    /** Improves {@code choice} and {@code split} in place. */
    static void polish(PlanEvaluator evaluator, List<List<TaskOption>> options, List<List<Spill>> spills, TaskOption[] choice, Spill[] split) {
        Supplier<HardMediumSoftLongScore> scoring = () -> PlanConstraints.scoreOf(evaluator.evaluate(choice, split, false));
        HardMediumSoftLongScore score = scoring.get();
        for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
            HardMediumSoftLongScore before = score;
            for (int t = 0; t < choice.length; t++) {
                score = bestInSlot(choice, t, options.get(t), score, scoring);
                score = bestInSlot(split, t, spills.get(t), score, scoring);
            }
            if (score.compareTo(before) <= 0) {
                return;
            }
        }
    }

    /**
     * Tries each value in {@code slot[t]} and leaves there the one that scores best, if it beats {@code score}
     * (else the value it held); returns the score of what it left.
     */
    static <T> HardMediumSoftLongScore bestInSlot(T[] slot, int t, List<T> values, HardMediumSoftLongScore score,
            Supplier<HardMediumSoftLongScore> scoring) {
        T kept = slot[t];
        for (T v : values) {
            if (v.equals(kept)) {
                continue;
            }
            slot[t] = v;
            HardMediumSoftLongScore s = scoring.get();
            if (s.compareTo(score) > 0) {
                score = s;
                kept = v;
            }
        }
        slot[t] = kept;
        return score;
    }
}
