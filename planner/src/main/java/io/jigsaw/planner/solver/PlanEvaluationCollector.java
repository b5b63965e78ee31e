package io.jigsaw.planner.solver;

import io.jigsaw.planner.model.Evaluation;
import io.jigsaw.planner.model.PlanEvaluator;
import io.jigsaw.planner.model.Spill;
import io.jigsaw.planner.model.TaskOption;
import org.optaplanner.core.api.score.stream.uni.UniConstraintCollector;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Gathers every assignment of the graph and finishes into the plan's {@link Evaluation}. A task the
 * construction heuristic has not reached yet counts with its first option, so partial plans compare.
 *
 * <p>Bavet builds one group node per constraint even for this one shared collector, so every score
 * calculation finishes the same plan once per rule (8 times, measured). The finisher therefore
 * remembers, per thread, the last plan it evaluated and hands the same {@link Evaluation} to the
 * other rules: one evaluation per move instead of eight.
 */
final class PlanEvaluationCollector implements UniConstraintCollector<TaskAssignment, Set<TaskAssignment>, Evaluation> {

    static final PlanEvaluationCollector INSTANCE = new PlanEvaluationCollector();

    private static final ThreadLocal<Last> LAST = new ThreadLocal<>();

    /** The last plan evaluated on this thread: the evaluator (one per solve) and the options, by task. */
    private record Last(PlanEvaluator evaluator, TaskOption[] choice, Spill[] spills, Evaluation evaluation) {
    }

    private PlanEvaluationCollector() {
    }

    @Override
    public Supplier<Set<TaskAssignment>> supplier() {
        return HashSet::new;
    }

    @Override
    public BiFunction<Set<TaskAssignment>, TaskAssignment, Runnable> accumulator() {
        return (set, a) -> {
            set.add(a);
            return () -> set.remove(a);
        };
    }

    @Override
    public Function<Set<TaskAssignment>, Evaluation> finisher() {
        return PlanEvaluationCollector::evaluate;
    }

    /** The plan these assignments make, by task index; a task without an option yet counts with its first. */
    static TaskOption[] choiceOf(Iterable<TaskAssignment> assignments, PlanEvaluator evaluator) {
        int n = evaluator.instance().tasks().size();
        TaskOption[] choice = new TaskOption[n];
        for (TaskAssignment a : assignments) {
            choice[a.getIndex()] = a.getOption();
        }
        for (int t = 0; t < n; t++) {
            if (choice[t] == null) {
                choice[t] = evaluator.options(t).get(0);
            }
        }
        return choice;
    }

    /** The traffic split of each task, by task index ({@link Spill#NONE} where none is set). */
    static Spill[] spillsOf(Iterable<TaskAssignment> assignments, PlanEvaluator evaluator) {
        Spill[] spills = new Spill[evaluator.instance().tasks().size()];
        Arrays.fill(spills, Spill.NONE);
        for (TaskAssignment a : assignments) {
            if (a.getSpill() != null) {
                spills[a.getIndex()] = a.getSpill();
            }
        }
        return spills;
    }

    private static Evaluation evaluate(Set<TaskAssignment> assigned) {
        PlanEvaluator evaluator = assigned.iterator().next().evaluator();
        TaskOption[] choice = choiceOf(assigned, evaluator);
        Spill[] spills = spillsOf(assigned, evaluator);
        Last last = LAST.get();
        if (last != null && last.evaluator() == evaluator && Arrays.equals(last.choice(), choice) && Arrays.equals(last.spills(), spills)) {
            return last.evaluation();
        }
        Evaluation evaluation = evaluator.evaluate(choice, spills, false);
        LAST.set(new Last(evaluator, choice, spills, evaluation));
        return evaluation;
    }
}
