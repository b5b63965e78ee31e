package io.jigsaw.planner.exact;

import com.google.ortools.linearsolver.MPConstraint;
import com.google.ortools.linearsolver.MPSolver;
import com.google.ortools.linearsolver.MPVariable;
import io.jigsaw.core.graph.Task;
import io.jigsaw.planner.model.PlanEvaluator;
import io.jigsaw.planner.model.PlanningInstance;
import io.jigsaw.planner.model.Policy;
import io.jigsaw.planner.model.TaskOption;
import io.jigsaw.planner.profile.ProfileRow;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The planner's options as the MILP relaxations see them ({@link PathRoutingIlp}, {@link PerTaskRelaxation}): per task
 * and variant, the options within the latency rule that no other option of the variant beats, each with its pieces per
 * second per replica at the planned utilisation, its least group bound and how many replicas the GPUs hold; and the
 * shares' packing cuts.
 */
final class RelaxedOptions {

    private final PlanningInstance instance;
    private final PlanEvaluator evaluator;
    private final List<Map<String, List<TaskOption>>> byTask = new ArrayList<>();
    private final int gpus;

    /** The planner's policies: every option within the latency rule, the dominated left out. */
    RelaxedOptions(PlanningInstance instance, PlanEvaluator evaluator) {
        this(instance, evaluator, 0);
    }

    /** @param keptGpus GPUs kept outside the plan (Loki's artifact keeps one for its sink) */
    RelaxedOptions(PlanningInstance instance, PlanEvaluator evaluator, int keptGpus) {
        this.instance = instance;
        this.evaluator = evaluator;
        for (int t = 0; t < instance.tasks().size(); t++) {
            Map<String, List<TaskOption>> byVariant = new LinkedHashMap<>();
            Task task = instance.tasks().get(t);
            if (!task.pseudo()) {
                for (TaskOption o : evaluator.options(t)) {
                    if (usable(t, o)) {
                        byVariant.computeIfAbsent(o.variant(), k -> new ArrayList<>()).add(o);
                    }
                }
                if (!instance.policy().loki()) {
                    byVariant.replaceAll((v, os) -> undominated(os));
                }
            }
            byTask.add(byVariant);
        }
        // A whole-device replica needs the whole device: none fits where the framework keeps a share of each free.
        gpus = !instance.policy().partitioning() && instance.frameworkReservePct() > 1e-6 ? 0 : Math.max(0, instance.gpus() - keptGpus);
    }

    /** Task t's options by variant (mutable, for a policy that narrows them). */
    Map<String, List<TaskOption>> byVariant(int t) {
        return byTask.get(t);
    }

    List<String> variants(int t) {
        return List.copyOf(byTask.get(t).keySet());
    }

    List<TaskOption> options(int t, String variant) {
        return byTask.get(t).getOrDefault(variant, List.of());
    }

    /** GPUs the plan may use. */
    int gpus() {
        return gpus;
    }

    /** Percent of one GPU the replicas may hold in all. */
    double shareAvailable() {
        return instance.policy().partitioning() ? gpus * (100 - instance.frameworkReservePct()) : gpus * 100.0;
    }

    /** As many replicas of this option as the GPUs hold. */
    int mostReplicas(TaskOption o) {
        return (int) (gpus * Math.floor(100 / o.share() + 1e-9));
    }

    double perReplica(TaskOption o) {
        return instance.utilisation() * instance.row(o).throughputPerSecond();
    }

    double batchMs(TaskOption o) {
        ProfileRow row = instance.row(o);
        return instance.policy().tailLatency() ? row.p99Ms() : row.p50Ms();
    }

    /**
     * The least bound a group of this option can have under the policy's rule: Loki's is its batch time; the
     * planner's Nexus bound waits at least the fill of a replica at full utilisation.
     */
    double groupBoundMs(TaskOption o) {
        double l = batchMs(o);
        if (instance.policy().loki()) {
            return l;
        }
        return l + Math.max(l, (o.batch() - 1) * 1000.0 / perReplica(o));
    }

    /** Options that can be on a route at all: within the latency limit (and the task's even budget under that rule). */
    boolean usable(int t, TaskOption o) {
        double b = groupBoundMs(o);
        if (instance.policy().latencyRule() == Policy.LatencyRule.EVEN_BUDGETS && b > evaluator.evenBudgetMs(t)) {
            return false;
        }
        return b <= evaluator.latencyLimitMs() + 1e-9;
    }

    /** Leaves out an option another beats on bound, throughput per replica and share (all no worse, one better). */
    List<TaskOption> undominated(List<TaskOption> os) {
        List<TaskOption> keep = new ArrayList<>();
        for (TaskOption o : os) {
            boolean beaten = false;
            for (TaskOption p : os) {
                if (p == o) {
                    continue;
                }
                boolean noWorse = groupBoundMs(p) <= groupBoundMs(o) && perReplica(p) >= perReplica(o) && p.share() <= o.share();
                boolean better = groupBoundMs(p) < groupBoundMs(o) || perReplica(p) > perReplica(o) || p.share() < o.share();
                if (noWorse && (better || os.indexOf(p) < os.indexOf(o))) {
                    beaten = true;
                    break;
                }
            }
            if (!beaten) {
                keep.add(o);
            }
        }
        return keep;
    }

    /** No route can carry more than the first real task's variants serve on every GPU: the flows' big-M. */
    double mostRootRate() {
        int first = -1;
        for (int t : evaluator.paths()[0]) {
            if (!instance.tasks().get(t).pseudo()) {
                first = t;
                break;
            }
        }
        if (first < 0) {
            throw new IllegalArgumentException("a path of graph " + instance.graph().name() + " has no real task");
        }
        double best = 0;
        for (List<TaskOption> os : byTask.get(first).values()) {
            for (TaskOption o : os) {
                best = Math.max(best, perReplica(o));
            }
        }
        double piecesPerRequest = instance.demandRps() > 0 ? evaluator.rateBounds()[0][first] / instance.demandRps() : 1;
        return Math.max(1, best * Math.max(1, instance.gpus()) / Math.max(1e-6, piecesPerRequest));
    }

    /**
     * Shares summed to the GPUs' total, and cuts for what summing misses (twenty 40 % replicas are 800 %, but 8 GPUs hold
     * sixteen): a GPU holds at most ⌊C/s⌋ replicas of share ≥ s, so at most G·⌊C/s⌋ of them fit, for every share s in
     * use. Any packing meets these, so a relaxation stays a relaxation.
     */
    void packing(MPSolver solver, List<Map<TaskOption, MPVariable>> replicas) {
        MPConstraint total = solver.makeConstraint(0, shareAvailable(), "share");
        TreeSet<Double> shares = new TreeSet<>();
        for (Map<TaskOption, MPVariable> task : replicas) {
            task.forEach((o, x) -> {
                total.setCoefficient(x, o.share());
                shares.add(o.share());
            });
        }
        double perGpu = shareAvailable() / Math.max(1, gpus);
        for (double least : shares) {
            MPConstraint fit = solver.makeConstraint(0, gpus * Math.floor(perGpu / least + 1e-9), "fit_" + least);
            for (Map<TaskOption, MPVariable> task : replicas) {
                task.forEach((o, x) -> {
                    if (o.share() >= least) {
                        fit.setCoefficient(x, 1);
                    }
                });
            }
        }
    }
}
