package io.jigsaw.planner.online;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.Task;
import io.jigsaw.core.graph.Variant;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The fan-out the job observes per (task, variant, child) — pieces sent to the child per piece the
 * variant ran on, e.g. objects a detector finds per frame — from telemetry windows. A graph's
 * declared fan-out is the planner's prior; once a variant has run on enough pieces, the observed
 * mean replaces it. Counts are smoothed: each window weighs a little more than the one before, so
 * the estimate follows a changed scene without one window swinging it.
 */
public final class FanoutEstimator {

    /** Pieces a variant must have run on before its observed fan-out is trusted. */
    public static final long MIN_PIECES = 200;

    /** Weight of the past per window: about the last 50 windows count. */
    private static final double DECAY = 0.98;

    private record Key(String task, String variant, String child) {
    }

    private static final class Counts {
        double in;
        double out;
        long seen;
    }

    private final Map<Key, Counts> counts = new LinkedHashMap<>();

    public void observe(String task, String variant, String child, long piecesIn, long piecesOut) {
        if (piecesIn <= 0) {
            return;
        }
        Counts c = counts.computeIfAbsent(new Key(task, variant, child), k -> new Counts());
        c.in = c.in * DECAY + piecesIn;
        c.out = c.out * DECAY + piecesOut;
        c.seen += piecesIn;
    }

    /** The observed mean, once the variant has run on at least {@link #MIN_PIECES} pieces. */
    public OptionalDouble fanout(String task, String variant, String child) {
        Counts c = counts.get(new Key(task, variant, child));
        return c == null || c.seen < MIN_PIECES ? OptionalDouble.empty() : OptionalDouble.of(c.out / c.in);
    }

    /** The graph with every trusted observed fan-out in place of the declared one. */
    public Graph apply(Graph graph) {
        return graph.withVariants((t, v) -> {
            Variant w = v;
            for (Task child : graph.children(t.name())) {
                OptionalDouble observed = fanout(t.name(), v.name(), child.name());
                if (observed.isPresent()) {
                    w = w.withFanout(child.name(), observed.getAsDouble());
                }
            }
            return w;
        });
    }

    /** The largest relative difference between the fan-outs of two versions of a graph (0 when equal). */
    static double largestChange(Graph before, Graph after) {
        return VariantChanges.largest(before, after, (task, was, now) -> {
            double worst = 0;
            for (Task child : after.children(task.name())) {
                double a = was.fanoutTo(child.name());
                worst = Math.max(worst, Math.abs(now.fanoutTo(child.name()) - a) / Math.max(a, 1e-9));
            }
            return worst;
        });
    }
}
