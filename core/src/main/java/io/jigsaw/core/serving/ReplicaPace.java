package io.jigsaw.core.serving;

import java.util.HashMap;
import java.util.Map;

/**
 * How long a replica's batches have taken here: its last batch, and the last of each variant. A
 * replica judges lateness and a ladder's rungs by it, because on a shared device a model runs slower
 * than it was profiled alone. Single-threaded, as a replica is.
 */
public final class ReplicaPace {

    private double lastMs;
    private final Map<String, Double> lastMsOf = new HashMap<>();

    /** A batch of {@code variant} ran for {@code ms}. */
    public void ran(String variant, double ms) {
        lastMs = ms;
        lastMsOf.put(variant, ms);
    }

    /** The last batch's time, whatever it ran; 0 before the first. */
    public double lastMs() {
        return lastMs;
    }

    /** The last batch of {@code variant}; {@code otherwise} when it has not run here. */
    public double lastMs(String variant, double otherwise) {
        return lastMsOf.getOrDefault(variant, otherwise);
    }
}
