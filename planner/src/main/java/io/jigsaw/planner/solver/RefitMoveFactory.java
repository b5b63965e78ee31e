package io.jigsaw.planner.solver;

import io.jigsaw.planner.model.PlanEvaluator;
import io.jigsaw.planner.model.Spill;
import io.jigsaw.planner.model.TaskOption;
import org.optaplanner.core.api.score.buildin.hardmediumsoftlong.HardMediumSoftLongScore;
import org.optaplanner.core.api.score.director.ScoreDirector;
import org.optaplanner.core.impl.heuristic.selector.move.factory.MoveIteratorFactory;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;

/**
 * Moves that change one task's option and then re-fit every other task to it. A detector's cheaper
 * variant lowers the load on everything below it, but its lower accuracy breaks the SLO unless the
 * tasks downstream move to more accurate variants at the same time: four tasks at once on a 5-task
 * generated instance where PlanSolver, under one random seed, otherwise stopped 21 % above the
 * optimum. Single changes or pairs cannot get there without passing through plans that break a
 * rule or cost more.
 *
 * <p>The re-fit is one sweep in task order: each other task takes, among its own options, the one
 * with the best score given all the others ({@link PlanConstraints#scoreOf}). It costs one plan
 * evaluation per option of every task, so PlanSolver draws these moves rarely beside single changes.
 */
public final class RefitMoveFactory implements MoveIteratorFactory<GraphPlan, ReassignMove> {

    @Override
    public long getSize(ScoreDirector<GraphPlan> scoreDirector) {
        long size = 0;
        for (TaskAssignment a : scoreDirector.getWorkingSolution().getAssignments()) {
            size += movable(a) ? a.getOptions().size() : 0;
        }
        return size;
    }

    @Override
    public Iterator<ReassignMove> createOriginalMoveIterator(ScoreDirector<GraphPlan> scoreDirector) {
        throw new UnsupportedOperationException("refit moves are drawn at random only");
    }

    @Override
    public Iterator<ReassignMove> createRandomMoveIterator(ScoreDirector<GraphPlan> scoreDirector, Random random) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public ReassignMove next() {
                return draw(scoreDirector.getWorkingSolution().getAssignments(), random);
            }
        };
    }

    /** A random task, a random option of it (its current one re-fits only the rest), and the re-fit against the plan as it is now. */
    static ReassignMove draw(List<TaskAssignment> assignments, Random random) {
        List<TaskAssignment> movable = new ArrayList<>();
        assignments.forEach(a -> {
            if (movable(a)) {
                movable.add(a);
            }
        });
        if (movable.isEmpty()) {
            return new ReassignMove(List.of(), List.of());
        }
        TaskAssignment pick = movable.get(random.nextInt(movable.size()));
        TaskOption to = pick.getOptions().get(random.nextInt(pick.getOptions().size()));
        return refit(assignments, pick, to);
    }

    static ReassignMove refit(List<TaskAssignment> assignments, TaskAssignment pick, TaskOption to) {
        PlanEvaluator evaluator = pick.evaluator();
        TaskOption[] choice = PlanEvaluationCollector.choiceOf(assignments, evaluator);
        Spill[] spills = PlanEvaluationCollector.spillsOf(assignments, evaluator);
        TaskAssignment[] byIndex = new TaskAssignment[choice.length];
        assignments.forEach(a -> byIndex[a.getIndex()] = a);
        choice[pick.getIndex()] = to;
        // The plan as it stands after each task's turn: the next task only has to beat it.
        HardMediumSoftLongScore bestScore = PlanConstraints.scoreOf(evaluator.evaluate(choice, spills, false));
        for (int t = 0; t < choice.length; t++) {
            if (t == pick.getIndex() || !movable(byIndex[t])) {
                continue;
            }
            bestScore = Descent.bestInSlot(choice, t, byIndex[t].getOptions(), bestScore,
                    () -> PlanConstraints.scoreOf(evaluator.evaluate(choice, spills, false)));
        }
        List<TaskAssignment> changed = new ArrayList<>();
        List<TaskOption> options = new ArrayList<>();
        for (TaskAssignment a : assignments) {
            if (!choice[a.getIndex()].equals(a.getOption())) {
                changed.add(a);
                options.add(choice[a.getIndex()]);
            }
        }
        return new ReassignMove(changed, options);
    }

    private static boolean movable(TaskAssignment a) {
        return a.getOptions().size() > 1;
    }
}
