package io.jigsaw.planner.solver;

import io.jigsaw.planner.model.TaskOption;
import org.optaplanner.core.api.score.director.ScoreDirector;
import org.optaplanner.core.impl.heuristic.move.AbstractMove;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/** Gives several tasks new options in one step (its undo is the same move back to the old options). */
final class ReassignMove extends AbstractMove<GraphPlan> {

    private final List<TaskAssignment> assignments;
    private final List<TaskOption> options;

    ReassignMove(List<TaskAssignment> assignments, List<TaskOption> options) {
        if (assignments.size() != options.size()) {
            throw new IllegalArgumentException(assignments.size() + " tasks but " + options.size() + " options");
        }
        this.assignments = List.copyOf(assignments);
        this.options = List.copyOf(options);
    }

    @Override
    public boolean isMoveDoable(ScoreDirector<GraphPlan> scoreDirector) {
        for (int i = 0; i < assignments.size(); i++) {
            if (!Objects.equals(assignments.get(i).getOption(), options.get(i))) {
                return true;
            }
        }
        return false;
    }

    @Override
    protected ReassignMove createUndoMove(ScoreDirector<GraphPlan> scoreDirector) {
        List<TaskOption> current = new ArrayList<>(assignments.size());
        assignments.forEach(a -> current.add(a.getOption()));
        return new ReassignMove(assignments, current);
    }

    @Override
    protected void doMoveOnGenuineVariables(ScoreDirector<GraphPlan> scoreDirector) {
        for (int i = 0; i < assignments.size(); i++) {
            TaskAssignment a = assignments.get(i);
            scoreDirector.beforeVariableChanged(a, "option");
            a.setOption(options.get(i));
            scoreDirector.afterVariableChanged(a, "option");
        }
    }

    @Override
    public ReassignMove rebase(ScoreDirector<GraphPlan> destination) {
        return new ReassignMove(rebaseList(assignments, destination), options);
    }

    @Override
    public Collection<TaskAssignment> getPlanningEntities() {
        return assignments;
    }

    @Override
    public Collection<TaskOption> getPlanningValues() {
        return options;
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < assignments.size(); i++) {
            out.append(i == 0 ? "" : ", ").append(assignments.get(i).getTask()).append(" -> ").append(options.get(i));
        }
        return out.toString();
    }
}
