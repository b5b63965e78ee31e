package io.jigsaw.planner.model;

import io.jigsaw.core.graph.Combinations;
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
 * <p>Traffic split ({@link Spill}): a task's second group of replicas, of another variant, takes what
 * it serves at the planned utilisation and the main option the rest; each group has its own replicas,
 * fill time and bound, the task's bound is the slower group's, and its pieces' fan-out is each group's
 * variant's, in proportion to its traffic.
 *
 * <p>Accuracy, per root frame (Loki's definition): along a path, the product of each task's accuracy
 * (with a split, its groups' accuracies weighted by their traffic); over paths, the mean weighted by the
 * pieces a frame sends down each under the most accurate variants (fixed, so a plan's variants cannot
 * change how much a branch counts), or the minimum. Where the graph carries the measured accuracy of
 * its variant combinations ({@link Combinations}), the end-to-end accuracy is theirs instead, in the
 * graph's own units: each combination's weighted by the product of the shares its variants take of
 * their tasks' traffic (per-task splits choose a piece's variant task by task).
 */
public final class PlanEvaluator {

    /** A split's second group stays below this many replicas, so a task's split values stay a few thousand at most. */
    public static final int MAX_SPILL_REPLICAS = 64;

    private final PlanningInstance instance;
    private final List<Task> tasks;
    private final int[][] parents;
    private final int[][] paths;
    private final List<Map<String, Variant>> variants = new ArrayList<>();
    private final List<List<TaskOption>> options = new ArrayList<>();
    private final double[] evenBudgetMs;
    private final double latencyLimitMs;
    private final double bestAccuracy;
    private final double bestPathProduct;
    private final double[] pathWeight;
    /** The graph's measured combinations, or null: the path product. */
    private final Combinations combinations;
    /** Per task, its variants' indices among the combinations' variants of that task. */
    private final List<Map<String, Integer>> comboVariant = new ArrayList<>();

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
        double[] bestOf = new double[n];
        for (int i = 0; i < n; i++) {
            Variant v = instance.mostAccurateProfiled(tasks.get(i));
            best[i] = v.name();
            bestOf[i] = v.accuracy();
        }
        pathWeight = pathWeights(best);
        bestPathProduct = accuracy(bestOf);
        combinations = instance.graph().measuredCombinations().filter(c -> c.tasks().equals(tasks.stream().map(Task::name).toList()))
                .orElse(null);
        if (combinations != null) {
            for (int i = 0; i < n; i++) {
                Map<String, Integer> index = new HashMap<>();
                List<String> names = combinations.variants().get(i);
                for (int v = 0; v < names.size(); v++) {
                    index.put(names.get(v), v);
                }
                comboVariant.add(index);
            }
            bestAccuracy = bestProfiledCombination();
        } else {
            bestAccuracy = bestPathProduct;
        }
    }

    /** The path product with every task on its most accurate variant (what {@link #bestAccuracy} is without combinations). */
    public double bestPathProduct() {
        return bestPathProduct;
    }

    /** Whether accuracy is the measured combinations' (absolute), not the path product of per-task accuracies (relative). */
    public boolean measuredCombinations() {
        return combinations != null;
    }

    /** What the accuracy figures are, for output labels. */
    public String accuracyModel() {
        return combinations != null
                ? "end-to-end accuracy of variant combinations, " + combinations.describe()
                : "path product of each task's accuracy / its best variant's (relative; errors assumed independent)";
    }

    /** The most accurate combination of the variants the planner may use (those profiled). */
    private double bestProfiledCombination() {
        double best = 0;
        for (int i = 0; i < combinations.size(); i++) {
            List<String> c = combinations.combination(i);
            boolean usable = true;
            for (int t = 0; t < tasks.size() && usable; t++) {
                String name = c.get(t);
                usable = instance.profiled(tasks.get(t)).stream().anyMatch(v -> v.name().equals(name));
            }
            if (usable) {
                best = Math.max(best, combinations.endToEnd()[i]);
            }
        }
        return best;
    }

    /** The measured combinations' accuracy of these loads: each task's groups in proportion to their traffic. */
    private double combinationAccuracy(TaskLoad[] loads) {
        double[][] shares = new double[tasks.size()][];
        for (int t = 0; t < tasks.size(); t++) {
            shares[t] = new double[combinations.variants().get(t).size()];
            TaskLoad load = loads[t];
            double f = load.spill() == null || load.taskRateRps() <= 0 ? 0 : load.spillFraction();
            shares[t][comboVariant.get(t).get(load.option().variant())] += 1 - f;
            if (f > 0) {
                shares[t][comboVariant.get(t).get(load.spill().option().variant())] += f;
            }
        }
        return combinations.expected(shares);
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

    /** @param choice one option per task, in the graph's task order; no task splits its traffic */
    public Evaluation evaluate(TaskOption[] choice, boolean withPartitions) {
        return evaluate(choice, null, withPartitions);
    }

    /**
     * @param choice one option per task, in the graph's task order
     * @param spills per task, its traffic split ({@link Spill#NONE}: none); null: no task splits
     */
    public Evaluation evaluate(TaskOption[] choice, Spill[] spills, boolean withPartitions) {
        int n = tasks.size();
        TaskLoad[] loads = new TaskLoad[n];
        double[] shares = new double[2 * n];
        int[] replicas = new int[2 * n];
        int[] processes = new int[2 * n];
        double[] latency = new double[n];
        double budgetExcess = 0;
        double total = 0;
        for (int t = 0; t < n; t++) {
            TaskLoad load = load(t, choice[t], spills == null ? Spill.NONE : spills[t], rateInto(t, loads));
            loads[t] = load;
            if (tasks.get(t).pseudo()) {
                continue;
            }
            if (instance.policy().latencyRule() == Policy.LatencyRule.EVEN_BUDGETS) {
                budgetExcess += Math.max(0, load.boundMs() - evenBudgetMs[t]);
            }
            latency[t] = load.boundMs();
            shares[t] = load.option().share();
            replicas[t] = load.replicas();
            processes[t] = load.option().processes();
            if (load.spill() != null) {
                shares[n + t] = load.spill().option().share();
                replicas[n + t] = load.spill().replicas();
                processes[n + t] = load.spill().option().processes();
            }
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
        double[] taskAccuracy = new double[n];
        for (int t = 0; t < n; t++) {
            taskAccuracy[t] = taskAccuracy(t, loads[t]);
        }
        double accuracy = combinations != null ? combinationAccuracy(loads) : accuracy(taskAccuracy);
        GpuPacker.Packing packing = byTask(GpuPacker.pack(shares, replicas, processes, instance.grid().mig(), instance.gpus(), withPartitions,
                instance.frameworkReservePct()), loads);
        return new Evaluation(instance.policy().objective(), List.of(loads), pathLatency, latencyLimitMs, excess, budgetExcess, accuracy,
                instance.graph().accuracyFloor(bestAccuracy), total, packing.overflowShare(), packing);
    }

    /**
     * The rate into task t, given the loads of the tasks before it: each group's rate × its variant's fan-out; a
     * task with several parents (a join) runs once per request, as the job's join waits for all of a request's pieces.
     */
    public double rateInto(int t, TaskLoad[] loads) {
        if (parents[t].length != 1) {
            return instance.demandRps();
        }
        String child = tasks.get(t).name();
        double rate = 0;
        for (int p : parents[t]) {
            TaskLoad parent = loads[p];
            rate += parent.rateRps() * variant(p, parent.option()).fanoutTo(child);
            if (parent.spill() != null) {
                rate += parent.spill().rateRps() * variant(p, parent.spill().option()).fanoutTo(child);
            }
        }
        return rate;
    }

    /** What task t costs and how long it may take with this option at this rate (the rules in the class comment). */
    public TaskLoad load(int t, TaskOption option, double rate) {
        return group(t, option, rate, 0);
    }

    /**
     * The same with a traffic split: the spill's replicas take what they serve at the planned utilisation
     * (at most all of it), the main option the rest.
     */
    public TaskLoad load(int t, TaskOption option, Spill spill, double rate) {
        if (spill.none() || tasks.get(t).pseudo()) {
            return load(t, option, rate);
        }
        ProfileRow row = instance.row(spill.option());
        double taken = Math.min(rate, spill.replicas() * instance.utilisation() * row.throughputPerSecond());
        double rest = rate - taken;
        TaskLoad main = rest > 1e-9 ? group(t, option, rest, 0) : group(t, option, 0, -1);
        return main.withSpill(group(t, spill.option(), taken, spill.replicas()));
    }

    /** @param fixedReplicas 0: as many as the rate needs; -1: none (the spill takes all); else that many */
    private TaskLoad group(int t, TaskOption option, double rate, int fixedReplicas) {
        Task task = tasks.get(t);
        if (task.pseudo()) {
            return new TaskLoad(task.name(), option, rate, 0, 0, 0, 0, false);
        }
        ProfileRow row = instance.row(option);
        int r = fixedReplicas > 0 ? fixedReplicas
                : fixedReplicas < 0 ? 0
                : Math.max(1, (int) Math.ceil(rate / (instance.utilisation() * row.throughputPerSecond()) - 1e-9));
        double batchMs = instance.policy().tailLatency() ? row.p99Ms() : row.p50Ms();
        double fill = rate > 0 ? (option.batch() - 1) * 1000.0 * r / rate : 0;
        double bound = instance.policy().latencyRule() == Policy.LatencyRule.HALF_SLO_EXECUTION
                ? batchMs
                : Math.max(batchMs, fill) + batchMs;
        return new TaskLoad(task.name(), option, rate, r, batchMs, fill, bound, row.derived());
    }

    /**
     * The splits task t may take at this rate: {@link Spill#NONE}, then each option with 1, 2, … replicas,
     * up to the fewest that would take the whole rate alone (more is no split), what the GPUs hold, and
     * {@link #MAX_SPILL_REPLICAS}. Only NONE where the instance does not split or the task has one variant.
     * The solver (over its shortlist, at the highest rate the task can see) and the exact reference use this one rule.
     */
    public List<Spill> spills(int t, List<TaskOption> candidates, double rate) {
        List<Spill> out = new ArrayList<>();
        out.add(Spill.NONE);
        if (!instance.splits() || tasks.get(t).pseudo() || instance.profiled(tasks.get(t)).size() < 2) {
            return out;
        }
        for (TaskOption o : candidates) {
            double perReplica = instance.utilisation() * instance.row(o).throughputPerSecond();
            int most = (int) Math.min(Math.min(instance.gpus() * Math.floor(100 / o.share() + 1e-9), Math.ceil(rate / perReplica) - 1),
                    MAX_SPILL_REPLICAS);
            for (int k = 1; k <= most; k++) {
                out.add(new Spill(o, k));
            }
        }
        return out;
    }

    /** The task's accuracy for a frame's piece: its groups' accuracies weighted by the traffic each takes. */
    public double taskAccuracy(int t, TaskLoad load) {
        double main = variant(t, load.option()).accuracy();
        if (load.spill() == null || load.taskRateRps() <= 0) {
            return main;
        }
        double f = load.spillFraction();
        return (1 - f) * main + f * variant(t, load.spill().option()).accuracy();
    }

    /**
     * Packing over both groups of every task (spill groups at index n + t) folded back to one list per
     * task: the main group's partitions, then the spill's, each naming its variant, batch and planned
     * traffic fraction when the task splits.
     */
    private GpuPacker.Packing byTask(GpuPacker.Packing packed, TaskLoad[] loads) {
        int n = loads.length;
        List<List<io.jigsaw.core.plan.Partition>> out = new ArrayList<>(n);
        for (int t = 0; t < n; t++) {
            List<io.jigsaw.core.plan.Partition> main = packed.partitions().get(t);
            List<io.jigsaw.core.plan.Partition> spill = packed.partitions().get(n + t);
            TaskLoad l = loads[t];
            if (l.spill() == null || (main.isEmpty() && spill.isEmpty())) {
                out.add(main);
                continue;
            }
            List<io.jigsaw.core.plan.Partition> both = new ArrayList<>();
            double total = l.taskRateRps();
            for (io.jigsaw.core.plan.Partition p : main) {
                both.add(p.running(l.option().variant(), l.option().batch(), total > 0 ? l.rateRps() / l.replicas() / total : 0));
            }
            for (io.jigsaw.core.plan.Partition p : spill) {
                TaskLoad s = l.spill();
                both.add(p.running(s.option().variant(), s.option().batch(), total > 0 ? s.rateRps() / s.replicas() / total : 0));
            }
            out.add(both);
        }
        return new GpuPacker.Packing(out, packed.overflowShare(), packed.gpuLoad(), packed.migLayouts());
    }

    /**
     * Per task, the least ({@code [0][t]}) and the most ({@code [1][t]}) rate it can see over every choice of
     * the variants above it: for bounds (exact search) and for sampling (the solver's shortlist).
     */
    public double[][] rateBounds() {
        int n = tasks.size();
        double[][] out = new double[2][n];
        for (int t = 0; t < n; t++) {
            if (parents[t].length != 1) {
                // The root, or a join: once per request.
                out[0][t] = instance.demandRps();
                out[1][t] = instance.demandRps();
                continue;
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

    /** Path p's weight in a frame's accuracy under the traffic-weighted rule (the class comment says how it is fixed). */
    public double pathWeight(int p) {
        return pathWeight[p];
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

    /** Per path, the product of its tasks' accuracies; over paths, the rule's combination (fixed path weights). */
    private double accuracy(double[] taskAccuracy) {
        double weighted = 0;
        double min = Double.POSITIVE_INFINITY;
        for (int p = 0; p < paths.length; p++) {
            double acc = 1;
            for (int t : paths[p]) {
                acc *= taskAccuracy[t];
            }
            weighted += pathWeight[p] * acc;
            min = Math.min(min, acc);
        }
        return instance.accuracyRule() == PlanningInstance.AccuracyRule.MIN ? min : weighted;
    }

    /**
     * Each path's weight in a frame's accuracy: the pieces a frame sends down it under the most accurate
     * variants, normalised; equal weights when no piece reaches any leaf.
     */
    private double[] pathWeights(String[] best) {
        double[] w = new double[paths.length];
        double sum = 0;
        for (int p = 0; p < paths.length; p++) {
            double traffic = 1;
            for (int i = 0; i + 1 < paths[p].length; i++) {
                traffic *= variants.get(paths[p][i]).get(best[paths[p][i]]).fanoutTo(tasks.get(paths[p][i + 1]).name());
            }
            w[p] = traffic;
            sum += traffic;
        }
        for (int p = 0; p < paths.length; p++) {
            w[p] = sum > 0 ? w[p] / sum : 1.0 / paths.length;
        }
        return w;
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
