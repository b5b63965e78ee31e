package io.jigsaw.core.serving;

import java.util.HashMap;
import java.util.Map;

/**
 * How long a replica's batches have taken here: its last batch, and the last of each variant. A
 * replica judges lateness and a ladder's rungs by it, because on a shared device a model runs slower
 * than it was profiled alone. Single-threaded, as a replica is.
 *
 * <p>A pace is forgotten once no batch has run for {@link #STALE_AFTER_MS}: a replica that drops every
 * piece because its last batch was slow runs no batch that could say it is fast again. One slow batch —
 * the first after a model was loaded, as after a restore or a move onto new partitions, or a pause of the
 * JVM — would otherwise make every later piece with less slack than it look late, for good.
 */
public final class ReplicaPace {

    /** After this long without a batch the pace is forgotten. */
    public static final double STALE_AFTER_MS = 1_000;

    private double lastMs;
    private double lastAtMs = Double.NaN;
    private final Map<String, Double> lastMsOf = new HashMap<>();

    /** A batch of {@code variant} ran for {@code ms}. */
    public void ran(String variant, double ms) {
        lastMs = ms;
        lastMsOf.put(variant, ms);
    }

    /** A batch of {@code variant} ran for {@code ms}, ending at {@code atMs} (the clock {@link #expire} is given). */
    public void ran(String variant, double ms, double atMs) {
        ran(variant, ms);
        lastAtMs = atMs;
    }

    /** Forgets the pace when the last batch (timed with {@link #ran(String, double, double)}) ended long before {@code nowMs}. */
    public void expire(double nowMs) {
        if (nowMs - lastAtMs > STALE_AFTER_MS) {
            lastMs = 0;
            lastMsOf.clear();
            lastAtMs = Double.NaN;
        }
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
