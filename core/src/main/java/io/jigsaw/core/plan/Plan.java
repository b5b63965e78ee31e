package io.jigsaw.core.plan;

import java.util.List;
import java.util.Optional;

/** A plan for one graph; versions increase, and an operator never goes back to an older one. */
public record Plan(String graph, long version, String createdBy, String note, List<TaskPlan> tasks) implements java.io.Serializable {

    public Plan {
        tasks = List.copyOf(tasks);
        note = note == null ? "" : note;
    }

    public Optional<TaskPlan> task(String name) {
        return tasks.stream().filter(t -> t.task().equals(name)).findFirst();
    }

    public Plan withVersion(long newVersion, String by) {
        return new Plan(graph, newVersion, by, note, tasks);
    }
}
