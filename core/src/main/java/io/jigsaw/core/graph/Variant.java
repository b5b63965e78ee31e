package io.jigsaw.core.graph;

import java.io.Serializable;
import java.util.Map;
import java.util.Optional;

/**
 * One model variant of a task.
 *
 * @param accuracy normalised accuracy: the task's best variant is 1.0
 * @param modelDir SavedModel directory, or null; relative paths are resolved against the models dir
 * @param fanout per child task, the mean number of pieces one input piece sends to it (a detector
 *     that finds 2.5 cars per frame sends 2.5 pieces to the car classifier); a child missing here
 *     gets 1.0
 * @param buildRecipe how `models` builds a synthetic SavedModel for it, or null
 * @param pseudo a no-op stage (Loki's {@code source}/{@code sink}): costs nothing, has no model
 * @param accuracySource where the accuracy comes from: {@code declared} (typed into the graph),
 *     {@code measured} (accuracy.csv: measured by `models` on the test split) or {@code loki} (Loki's accuracy files)
 */
public record Variant(String name, double accuracy, String modelDir, Map<String, Double> fanout,
        ModelRecipe buildRecipe, boolean pseudo, String accuracySource) implements Serializable {

    public static final String DECLARED = "declared";
    public static final String MEASURED = "measured";
    /** Neither declared nor measured yet: {@code bin/jigsaw models} trains and measures it. */
    public static final String UNMEASURED = "unmeasured";

    public Variant {
        fanout = Map.copyOf(fanout);
    }

    /** A variant whose accuracy is declared. */
    public Variant(String name, double accuracy, String modelDir, Map<String, Double> fanout, ModelRecipe buildRecipe, boolean pseudo) {
        this(name, accuracy, modelDir, fanout, buildRecipe, pseudo, DECLARED);
    }

    public Optional<String> model() {
        return Optional.ofNullable(modelDir);
    }

    public Optional<ModelRecipe> recipe() {
        return Optional.ofNullable(buildRecipe);
    }

    public double fanoutTo(String child) {
        return fanout.getOrDefault(child, 1.0);
    }

    /** The same variant with another mean fan-out to one child (an observed one in place of the declared). */
    public Variant withFanout(String child, double mean) {
        Map<String, Double> f = new java.util.LinkedHashMap<>(fanout);
        f.put(child, mean);
        return new Variant(name, accuracy, modelDir, f, buildRecipe, pseudo, accuracySource);
    }
}
