package io.jigsaw.planner.solver;

import io.jigsaw.planner.TinyGraph;
import io.jigsaw.planner.model.PlanEvaluator;
import io.jigsaw.planner.model.Policy;
import io.jigsaw.planner.model.Spill;
import io.jigsaw.planner.model.TaskOption;
import org.junit.jupiter.api.Test;
import org.optaplanner.core.api.score.buildin.hardmediumsoftlong.HardMediumSoftLongScore;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DescentTest {

    /** From the most accurate, costliest plan, the descent ends where no single change of option or split scores better. */
    @Test
    void itEndsWhereNoSingleChangeImproves() {
        PlanEvaluator evaluator = new PlanEvaluator(TinyGraph.instance(Policy.JIGSAW).withGpus(2));
        List<List<TaskOption>> options = List.of(evaluator.options(0), evaluator.options(1));
        List<List<Spill>> spills = List.of(evaluator.spills(0, evaluator.options(0), 40), evaluator.spills(1, evaluator.options(1), 80));
        TaskOption[] choice = {TinyGraph.D_LARGE, TinyGraph.C_LARGE};
        Spill[] split = {Spill.NONE, Spill.NONE};
        HardMediumSoftLongScore start = PlanConstraints.scoreOf(evaluator.evaluate(choice, split, false));

        Descent.polish(evaluator, options, spills, choice, split);

        HardMediumSoftLongScore end = PlanConstraints.scoreOf(evaluator.evaluate(choice, split, false));
        assertThat(end).isGreaterThanOrEqualTo(start);
        for (int t = 0; t < 2; t++) {
            TaskOption kept = choice[t];
            for (TaskOption o : options.get(t)) {
                choice[t] = o;
                assertThat(PlanConstraints.scoreOf(evaluator.evaluate(choice, split, false))).isLessThanOrEqualTo(end);
            }
            choice[t] = kept;
            Spill keptSpill = split[t];
            for (Spill s : spills.get(t)) {
                split[t] = s;
                assertThat(PlanConstraints.scoreOf(evaluator.evaluate(choice, split, false))).isLessThanOrEqualTo(end);
            }
            split[t] = keptSpill;
        }
    }
}
