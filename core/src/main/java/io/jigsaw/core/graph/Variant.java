package io.jigsaw.core.graph;

import java.util.Map;
import java.util.Optional;

/**
 * One model variant of a task.
 *
 * @param accuracy normalised accuracy: the task's best variant is 1.0
 * @param model SavedModel directory; relative paths are resolved against the models dir
 * @param fanout per child task, the mean number of pieces one input piece sends to it (a detector
 *     that finds 2.5 cars per frame sends 2.5 pieces to the car classifier); a child missing here
 *     gets 1.0
 * @param pseudo a no-op stage (Loki's {@code source}/{@code sink}): costs nothing, has no model
 */
public record Variant(String name, double accuracy, Optional<String> model, Map<String, Double> fanout,
        Optional<ModelRecipe> recipe, boolean pseudo) {

    public Variant {
        fanout = Map.copyOf(fanout);
    }

    public double fanoutTo(String child) {
        return fanout.getOrDefault(child, 1.0);
    }
}
