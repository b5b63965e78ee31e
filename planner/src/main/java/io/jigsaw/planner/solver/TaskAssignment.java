package io.jigsaw.planner.solver;

import io.jigsaw.planner.model.PlanEvaluator;
import io.jigsaw.planner.model.Spill;
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

    private List<Spill> spills;

    @PlanningVariable(valueRangeProviderRefs = "options")
    private TaskOption option;

    /** Starts as no split, so the construction heuristic chooses options only and the local search tries splits. */
    @PlanningVariable(valueRangeProviderRefs = "spills")
    private Spill spill;

    public TaskAssignment() {
        // for OptaPlanner's cloning
    }

    public TaskAssignment(int index, String task, List<TaskOption> options, PlanEvaluator evaluator, TaskOption option) {
        this(index, task, options, List.of(Spill.NONE), evaluator, option);
    }

    public TaskAssignment(int index, String task, List<TaskOption> options, List<Spill> spills, PlanEvaluator evaluator, TaskOption option) {
        this.index = index;
        this.task = task;
        this.options = List.copyOf(options);
        this.spills = List.copyOf(spills);
        this.evaluator = evaluator;
        this.option = option;
        this.spill = Spill.NONE;
    }

    @ValueRangeProvider(id = "spills")
    public List<Spill> getSpills() {
        return spills;
    }

    public Spill getSpill() {
        return spill;
    }

    public void setSpill(Spill spill) {
        this.spill = spill;
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
        return task + "=" + option + (spill == null || spill.none() ? "" : " + " + spill);
    }
}
