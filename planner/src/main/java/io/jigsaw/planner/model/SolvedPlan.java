package io.jigsaw.planner.model;

import io.jigsaw.core.plan.Plan;
import io.jigsaw.core.plan.TaskPlan;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A solver's answer: the chosen option per task, its evaluation (with GPU placement), and how it
 * was found.
 *
 * @param solver which solver ("optaplanner", "exhaustive")
 * @param time wall time the solver took, termination included
 * @param timeToBest when the returned plan was found (a local search keeps looking for a while after)
 */
public record SolvedPlan(PlanningInstance instance, List<TaskOption> choice, List<Spill> spills, Evaluation evaluation, String solver,
        Duration time, Duration timeToBest) {

    public SolvedPlan {
        choice = List.copyOf(choice);
        spills = List.copyOf(spills);
        if (spills.size() != choice.size()) {
            throw new IllegalArgumentException(choice.size() + " options but " + spills.size() + " splits");
        }
    }

    /** A plan in which no task splits its traffic. */
    public SolvedPlan(PlanningInstance instance, List<TaskOption> choice, Evaluation evaluation, String solver, Duration time,
            Duration timeToBest) {
        this(instance, choice, java.util.Collections.nCopies(choice.size(), Spill.NONE), evaluation, solver, time, timeToBest);
    }

    /** Tasks whose traffic this plan splits across variants. */
    public long splitTasks() {
        return spills.stream().filter(s -> !s.none()).count();
    }

    public boolean feasible() {
        return evaluation.feasible();
    }

    /**
     * The plan in the job's format: batch timeout = the time to fill a batch at the planned rate
     * (so batches are full at that rate and a lull never holds a piece longer), budget = the task's
     * latency bound. A split task's replicas name their variant, batch and planned traffic fraction.
     */
    public Plan toPlan(long version, String createdBy) {
        List<TaskPlan> tasks = new ArrayList<>();
        for (int t = 0; t < choice.size(); t++) {
            TaskLoad load = evaluation.tasks().get(t);
            TaskOption o = choice.get(t);
            double timeout = load.spill() == null ? load.fillMs() : Math.max(load.replicas() > 0 ? load.fillMs() : 0, load.spill().fillMs());
            tasks.add(new TaskPlan(load.task(), o.variant(), o.batch(), Math.ceil(timeout), Math.ceil(load.boundMs()),
                    evaluation.packing().partitions().get(t)));
        }
        String note = String.format(java.util.Locale.ROOT, "%s for %.1f req/s on %d GPU(s): %.0f %% GPU share, accuracy %.4f%s",
                instance.policy().cliName(), instance.demandRps(), instance.gpus(), evaluation.totalShare(), evaluation.accuracy(),
                evaluation.usesDerivedRows() ? " (rests on derived partition rows)" : "");
        return new Plan(instance.graph().name(), version, createdBy, note, tasks);
    }
}
