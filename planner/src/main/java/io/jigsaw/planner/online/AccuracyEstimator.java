package io.jigsaw.planner.online;

import io.jigsaw.core.graph.Combinations;
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
 * best offline figure, as planned accuracies are) can replace the offline one. Where the graph carries
 * measured combinations, so does each combination's end-to-end score (telemetry's
 * {@link Combinations#TELEMETRY_TASK} rows): the planner then plans with what that combination got live.
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

    /**
     * @param task a task, or {@link Combinations#TELEMETRY_TASK}: then {@code variant} is a combination's key and the
     *     scores are end-to-end
     */
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

    /**
     * The graph with every trusted measured accuracy in place of the offline one: each variant's (normalised by the
     * task's best offline figure) and, where the graph carries measured combinations, each combination's end-to-end.
     */
    public Graph apply(Graph graph) {
        Graph out = graph.measuredCombinations().map(c -> {
            Map<Integer, Double> live = new java.util.HashMap<>();
            for (int i = 0; i < c.size(); i++) {
                OptionalDouble m = measured(Combinations.TELEMETRY_TASK, Combinations.key(c.combination(i)));
                if (m.isPresent()) {
                    live.put(i, m.getAsDouble());
                }
            }
            return live.isEmpty() ? graph : graph.withCombinations(c.withLive(live));
        }).orElse(graph);
        return out.withVariants((t, v) -> {
            OptionalDouble m = measured(t.name(), v.name());
            return m.isEmpty() ? v : new Variant(v.name(), m.getAsDouble() / t.bestAccuracy(), v.modelDir(), v.fanout(), v.buildRecipe(),
                    v.pseudo(), LIVE);
        });
    }

    /**
     * The largest difference between the accuracies the planner plans with in two versions of a graph: the
     * combinations' where the graph has them (a variant's own figure then enters no plan), else the variants'.
     */
    static double largestChange(Graph before, Graph after) {
        if (before.measuredCombinations().isPresent() && after.measuredCombinations().isPresent()) {
            double[] was = before.measuredCombinations().get().endToEnd();
            double[] now = after.measuredCombinations().get().endToEnd();
            double change = 0;
            for (int i = 0; i < Math.min(was.length, now.length); i++) {
                change = Math.max(change, Math.abs(now[i] - was[i]));
            }
            return change;
        }
        return VariantChanges.largest(before, after, (task, was, now) -> Math.abs(now.accuracy() - was.accuracy()));
    }
}
