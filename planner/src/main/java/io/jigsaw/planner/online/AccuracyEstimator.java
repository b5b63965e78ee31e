package io.jigsaw.planner.online;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.Task;
import io.jigsaw.core.graph.Variant;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Each variant's accuracy as measured live — its task's score on the answered requests that carried
 * their truth, from the result assembler's telemetry — smoothed like {@link FanoutEstimator}. Once a
 * variant has {@link #MIN_SCORED} scored requests, its measured accuracy (on the scale of its task's
 * best offline figure, as planned accuracies are) can replace the offline one.
 */
public final class AccuracyEstimator {

    public static final long MIN_SCORED = 100;

    /** Label of an accuracy the planner took from live measurement. */
    public static final String LIVE = "measured-live";

    private static final double DECAY = 0.98;

    private record Key(String task, String variant) {
    }

    private static final class Sums {
        double n;
        double sum;
        long seen;
    }

    private final Map<Key, Sums> sums = new LinkedHashMap<>();

    public void observe(String task, String variant, long scored, double scoreSum) {
        if (scored <= 0) {
            return;
        }
        Sums s = sums.computeIfAbsent(new Key(task, variant), k -> new Sums());
        s.n = s.n * DECAY + scored;
        s.sum = s.sum * DECAY + scoreSum;
        s.seen += scored;
    }

    /** The raw measured score (the task's own metric), once trusted. */
    public OptionalDouble measured(String task, String variant) {
        Sums s = sums.get(new Key(task, variant));
        return s == null || s.seen < MIN_SCORED ? OptionalDouble.empty() : OptionalDouble.of(s.sum / s.n);
    }

    /** The graph with every trusted measured accuracy in place of the offline one (normalised by the task's best offline figure). */
    public Graph apply(Graph graph) {
        return graph.withVariants((t, v) -> {
            OptionalDouble m = measured(t.name(), v.name());
            return m.isEmpty() ? v : new Variant(v.name(), m.getAsDouble() / t.bestAccuracy(), v.modelDir(), v.fanout(), v.buildRecipe(),
                    v.pseudo(), LIVE);
        });
    }

    /** The largest difference between the variants' accuracies of two versions of a graph. */
    static double largestChange(Graph before, Graph after) {
        return VariantChanges.largest(before, after, (task, was, now) -> Math.abs(now.accuracy() - was.accuracy()));
    }
}
