package io.jigsaw.planner.model;

import io.jigsaw.core.graph.Task;
import io.jigsaw.core.graph.Variant;
import io.jigsaw.planner.profile.ProfileRow;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The model of a plan (DESIGN.md, issue #4): given one {@link TaskOption} per task, the rate into
 * every task, its replicas, its latency bound, the path latencies, the end-to-end accuracy and the
 * GPU packing.
 *
 * <p>Rates: the root gets the demand; every other task gets, summed over its parents, the parent's
 * rate × the fan-out of the parent's chosen variant to it ({@code branching.csv}), so a detector's
 * variant changes the load below it.
 *
 * <p>A task's latency bound (rules {@code GRAPH_BUDGETS}, {@code EVEN_BUDGETS}) is Nexus's worst
 * case for batched serving (Shen et al., SOSP'19, §5: a request waits at most one duty cycle, then
 * its own batch runs): with batch b, tail batch time ℓ(b) on the chosen partition, r replicas and
 * rate λ, each replica collects a batch in f = (b − 1)·r/λ, so a request waits at most
 * max(ℓ(b), f) — for the batch ahead of it to finish or for its own to fill — and then ℓ(b):
 * L = max(ℓ(b), f) + ℓ(b). Replicas r = ⌈λ / (ρ · b/ℓ₅₀(b))⌉ with ρ the planned utilisation. Loki's
 * rule ({@code HALF_SLO_EXECUTION}) is its ILP's: L = ℓ(b), and paths must fit in half the SLO.
 *
 * <p>Accuracy: along a path, the product of its variants' accuracies; over paths, the mean weighted
 * by the traffic that takes each (root × fan-outs along it), or the minimum.
 */
public final class PlanEvaluator {

    private final PlanningInstance instance;
    private final List<Task> tasks;
    private final int[][] parents;
    private final int[][] paths;
    private final List<Map<String, Variant>> variants = new ArrayList<>();
    private final List<List<TaskOption>> options = new ArrayList<>();
    private final double[] evenBudgetMs;
    private final double latencyLimitMs;
    private final double bestAccuracy;

    public PlanEvaluator(PlanningInstance instance) {
        this.instance = instance;
        this.tasks = instance.tasks();
        int n = tasks.size();
        parents = new int[n][];
        for (int i = 0; i < n; i++) {
            parents[i] = tasks.get(i).after().stream().mapToInt(instance::taskIndex).toArray();
            Map<String, Variant> byName = new HashMap<>();
            tasks.get(i).variants().forEach(v -> byName.put(v.name(), v));
            variants.add(byName);
            options.add(instance.options(tasks.get(i)));
        }
        List<List<String>> named = instance.graph().paths();
        paths = new int[named.size()][];
        for (int p = 0; p < named.size(); p++) {
            paths[p] = named.get(p).stream().mapToInt(instance::taskIndex).toArray();
        }
        evenBudgetMs = evenBudgets();
        double slo = instance.graph().latencySloMs();
        latencyLimitMs = instance.policy().latencyRule() == Policy.LatencyRule.HALF_SLO_EXECUTION ? slo / 2 : slo;
        String[] best = new String[n];
        for (int i = 0; i < n; i++) {
            best[i] = instance.mostAccurateProfiled(tasks.get(i)).name();
        }
        bestAccuracy = accuracy(best);
    }

    public PlanningInstance instance() {
        return instance;
    }

    /** The accuracy with every task on its most accurate profiled variant: what the SLO is a fraction of. */
    public double bestAccuracy() {
        return bestAccuracy;
    }

    /** The options of task {@code t} under the policy (see {@link PlanningInstance#options}); never empty for a planned task. */
    public List<TaskOption> options(int t) {
        return options.get(t);
    }

    public double latencyLimitMs() {
        return latencyLimitMs;
    }

    /** For even budgets: each task's equal share of the SLO along its longest path (pseudo-tasks take none). */
    public double evenBudgetMs(int task) {
        return evenBudgetMs[task];
    }

    /** @param choice one option per task, in the graph's task order */
    public Evaluation evaluate(TaskOption[] choice, boolean withPartitions) {
        int n = tasks.size();
        double[] rate = new double[n];
        List<TaskLoad> loads = new ArrayList<>(n);
        double[] shares = new double[n];
        int[] replicas = new int[n];
        double[] latency = new double[n];
        double budgetExcess = 0;
        double total = 0;
        for (int t = 0; t < n; t++) {
            rate[t] = rateInto(t, rate, choice);
            TaskLoad load = load(t, choice[t], rate[t]);
            loads.add(load);
            if (tasks.get(t).pseudo()) {
                continue;
            }
            if (instance.policy().latencyRule() == Policy.LatencyRule.EVEN_BUDGETS) {
                budgetExcess += Math.max(0, load.latencyMs() - evenBudgetMs[t]);
            }
            latency[t] = load.latencyMs();
            shares[t] = load.option().share();
            replicas[t] = load.replicas();
            total += load.totalShare();
        }
        double[] pathLatency = new double[paths.length];
        double excess = 0;
        for (int p = 0; p < paths.length; p++) {
            for (int t : paths[p]) {
                pathLatency[p] += latency[t];
            }
            excess += Math.max(0, pathLatency[p] - latencyLimitMs);
        }
        String[] names = new String[n];
        for (int t = 0; t < n; t++) {
            names[t] = choice[t].variant();
        }
        double accuracy = accuracy(names);
        GpuPacker.Packing packing = GpuPacker.pack(shares, replicas, instance.gpus(), withPartitions);
        return new Evaluation(instance.policy().objective(), loads, pathLatency, latencyLimitMs, excess, budgetExcess, accuracy,
                instance.graph().accuracySlo() * bestAccuracy, total, packing.overflowShare(), packing);
    }

    /** The rate into task t, given the rates of the tasks before it and their chosen variants. */
    public double rateInto(int t, double[] rates, TaskOption[] choice) {
        if (parents[t].length == 0) {
            return instance.demandRps();
        }
        double rate = 0;
        for (int p : parents[t]) {
            rate += rates[p] * variant(p, choice[p]).fanoutTo(tasks.get(t).name());
        }
        return rate;
    }

    /** What task t costs and how long it may take with this option at this rate (the rules in the class comment). */
    public TaskLoad load(int t, TaskOption option, double rate) {
        Task task = tasks.get(t);
        if (task.pseudo()) {
            return new TaskLoad(task.name(), option, rate, 0, 0, 0, 0, false);
        }
        ProfileRow row = instance.row(option);
        int r = Math.max(1, (int) Math.ceil(rate / (instance.maxUtilisation() * row.throughputPerSecond()) - 1e-9));
        double fill = rate > 0 ? (option.batch() - 1) * 1000.0 * r / rate : 0;
        double bound = instance.policy().latencyRule() == Policy.LatencyRule.HALF_SLO_EXECUTION
                ? row.p99Ms()
                : Math.max(row.p99Ms(), fill) + row.p99Ms();
        return new TaskLoad(task.name(), option, rate, r, row.p99Ms(), fill, bound, row.derived());
    }

    /**
     * Per task, the least ({@code [0][t]}) and the most ({@code [1][t]}) rate it can see over every choice of
     * the variants above it: for bounds (exact search) and for sampling (the solver's shortlist).
     */
    public double[][] rateBounds() {
        int n = tasks.size();
        double[][] out = new double[2][n];
        for (int t = 0; t < n; t++) {
            if (parents[t].length == 0) {
                out[0][t] = instance.demandRps();
                out[1][t] = instance.demandRps();
            }
            for (int p : parents[t]) {
                double least = Double.POSITIVE_INFINITY;
                double most = 0;
                for (Variant v : instance.profiled(tasks.get(p))) {
                    least = Math.min(least, v.fanoutTo(tasks.get(t).name()));
                    most = Math.max(most, v.fanoutTo(tasks.get(t).name()));
                }
                out[0][t] += out[0][p] * least;
                out[1][t] += out[1][p] * most;
            }
        }
        return out;
    }

    public int[] parents(int t) {
        return parents[t];
    }

    /** Root-to-leaf paths as task indices, in {@code Graph.paths()} order. */
    public int[][] paths() {
        return paths;
    }

    public Variant variantOf(int t, String name) {
        return variants.get(t).get(name);
    }

    private Variant variant(int task, TaskOption option) {
        Variant v = variants.get(task).get(option.variant());
        if (v == null) {
            throw new IllegalArgumentException("task " + tasks.get(task).name() + " has no variant " + option.variant());
        }
        return v;
    }

    private double accuracy(String[] variantNames) {
        double weighted = 0;
        double weights = 0;
        double min = Double.POSITIVE_INFINITY;
        double plain = 0;
        for (int[] path : paths) {
            double acc = 1;
            double traffic = 1;
            for (int i = 0; i < path.length; i++) {
                Variant v = variants.get(path[i]).get(variantNames[path[i]]);
                acc *= v.accuracy();
                if (i + 1 < path.length) {
                    traffic *= v.fanoutTo(tasks.get(path[i + 1]).name());
                }
            }
            weighted += traffic * acc;
            weights += traffic;
            plain += acc;
            min = Math.min(min, acc);
        }
        if (instance.accuracyRule() == PlanningInstance.AccuracyRule.MIN) {
            return min;
        }
        // No traffic reaches any leaf (every fan-out 0): fall back to the plain mean over paths.
        return weights > 0 ? weighted / weights : plain / paths.length;
    }

    private double[] evenBudgets() {
        int n = tasks.size();
        double[] out = new double[n];
        int[] longest = new int[n];
        for (int[] path : paths) {
            int real = 0;
            for (int t : path) {
                real += tasks.get(t).pseudo() ? 0 : 1;
            }
            for (int t : path) {
                longest[t] = Math.max(longest[t], real);
            }
        }
        for (int t = 0; t < n; t++) {
            out[t] = longest[t] == 0 ? Double.POSITIVE_INFINITY : instance.graph().latencySloMs() / longest[t];
        }
        return out;
    }
}
