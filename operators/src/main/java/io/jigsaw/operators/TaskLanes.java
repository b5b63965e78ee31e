package io.jigsaw.operators;

import java.io.Serializable;
import java.util.Map;

/**
 * The lane keys of every task operator, each with its own parallelism: on a cluster whose
 * TaskManagers are the plan's partitions a task runs exactly as many subtasks as the plan gives it
 * replicas, so a sender picks its child's lane among that child's subtasks, not a shared count.
 */
public final class TaskLanes implements Serializable {

    private final LaneKeys otherwise;
    private final Map<String, LaneKeys> byTask;

    private TaskLanes(LaneKeys otherwise, Map<String, LaneKeys> byTask) {
        this.otherwise = otherwise;
        this.byTask = Map.copyOf(byTask);
    }

    /** Every task operator with the same parallelism (a MiniCluster, a job started with fixed replica slots). */
    public static TaskLanes uniform(LaneKeys lanes) {
        return new TaskLanes(lanes, Map.of());
    }

    /** Per task the lanes of its own parallelism; a task not named has {@code otherwise}'s. */
    public static TaskLanes of(Map<String, LaneKeys> byTask, LaneKeys otherwise) {
        return new TaskLanes(otherwise, byTask);
    }

    public LaneKeys of(String task) {
        return byTask.getOrDefault(task, otherwise);
    }
}
