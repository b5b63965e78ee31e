package io.jigsaw.planner.solver;

import io.jigsaw.planner.model.PlanEvaluator;
import io.jigsaw.planner.model.TaskOption;
import org.optaplanner.core.api.domain.entity.PlanningEntity;
import org.optaplanner.core.api.domain.lookup.PlanningId;
import org.optaplanner.core.api.domain.valuerange.ValueRangeProvider;
import org.optaplanner.core.api.domain.variable.PlanningVariable;

import java.util.List;

/**
 * The planning entity: one task of the graph and the option (variant, batch, share) it runs. The
 * options are per task (its own variants), so the value range lives on the entity.
 */
@PlanningEntity
public class TaskAssignment {

    @PlanningId
    private int index;
    private String task;
    private List<TaskOption> options;
    /** Shared by all assignments of one problem: constraints evaluate the whole graph through it. */
    private PlanEvaluator evaluator;

    @PlanningVariable(valueRangeProviderRefs = "options")
    private TaskOption option;

    public TaskAssignment() {
        // for OptaPlanner's cloning
    }

    public TaskAssignment(int index, String task, List<TaskOption> options, PlanEvaluator evaluator, TaskOption option) {
        this.index = index;
        this.task = task;
        this.options = List.copyOf(options);
        this.evaluator = evaluator;
        this.option = option;
    }

    @ValueRangeProvider(id = "options")
    public List<TaskOption> getOptions() {
        return options;
    }

    public int getIndex() {
        return index;
    }

    public String getTask() {
        return task;
    }

    public TaskOption getOption() {
        return option;
    }

    public void setOption(TaskOption option) {
        this.option = option;
    }

    public PlanEvaluator evaluator() {
        return evaluator;
    }

    @Override
    public String toString() {
        return task + "=" + option;
    }
}
