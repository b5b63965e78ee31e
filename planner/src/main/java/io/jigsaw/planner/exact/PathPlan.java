package io.jigsaw.planner.exact;

import io.jigsaw.planner.model.PlanningInstance;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A plan that routes traffic per variant path, as Loki's ILP does: every task may run several variants
 * at once, each on its own whole GPUs with one batch size, and a request's pieces follow one combination
 * of variants along each root-to-leaf path, in the fractions {@link #routes} give.
 *
 * @param demandRps root requests per second the plan serves (for a capacity solve, the most it can)
 * @param groups per task and variant in use, its batch, whole-GPU replicas and the pieces per second it takes
 * @param routes per path of the graph, each combination of variants that carries traffic, with its rate
 * @param accuracy per root frame, the planner's accuracy rule over the routes (as {@code PlanEvaluator} computes it for a per-task plan)
 * @param gpus whole GPUs the groups hold
 * @param optimal whether the solver proved the objective optimal; if not, {@link #bound} is the best it proved
 * @param bound the solver's proven bound on its objective (req/s for a capacity solve, accuracy for a plan)
 */
public record PathPlan(PlanningInstance instance, double demandRps, List<Group> groups, List<Route> routes, double accuracy, int gpus,
        boolean optimal, double bound, Duration time) {

    /**
     * One option of one task: {@code replicas} partitions of {@code share} % running a variant at {@code batch}, taking
     * {@code rateRps} pieces per second (that variant's, over its groups), within {@code boundMs} (Loki: its batch time).
     */
    public record Group(String task, String variant, int batch, double share, int replicas, double rateRps, double boundMs) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s b%d @%.0f%% x%d (%.1f/s)", variant, batch, share, replicas, rateRps);
        }
    }

    /** The root requests per second whose pieces follow these variants, in path order, down one path of the graph. */
    public record Route(List<String> tasks, List<String> variants, double rateRps, double latencyMs) {
    }

    /** Tasks that run more than one variant: Loki's traffic split. */
    public long splitTasks() {
        return groups.stream().collect(Collectors.groupingBy(Group::task, Collectors.counting())).values().stream()
                .filter(c -> c > 1).count();
    }

    /** The slowest route's summed bounds (Loki: batch times, held to half the SLO). */
    public double worstRouteMs() {
        return routes.stream().mapToDouble(Route::latencyMs).max().orElse(0);
    }

    /** For people: each task's groups, one line. */
    public String describe() {
        return groups.stream().collect(Collectors.groupingBy(Group::task, java.util.LinkedHashMap::new, Collectors.toList()))
                .entrySet().stream().map(e -> e.getKey() + ": " + e.getValue().stream().map(Group::toString).collect(Collectors.joining(" + ")))
                .collect(Collectors.joining("; "));
    }
}
