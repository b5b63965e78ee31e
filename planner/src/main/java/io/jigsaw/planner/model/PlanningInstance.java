package io.jigsaw.planner.model;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.Task;
import io.jigsaw.core.graph.Variant;
import io.jigsaw.planner.profile.Profile;
import io.jigsaw.planner.profile.ProfileRow;
import io.jigsaw.planner.profile.ShareGrid;

import java.util.ArrayList;
import java.util.List;

/**
 * One planning question: this graph, these profiles, this root demand, these GPUs, this policy.
 * Precomputes what every evaluation needs (task order, parents, paths, each task's options) so that
 * {@link PlanEvaluator} can run on every solver move.
 *
 * @param demandRps requests per second arriving at the root
 * @param maxUtilisation the busy fraction a replica is planned to at most; the rest absorbs bursts of
 *     random arrivals, so queues stay short (the same for every policy but {@code loki-published}, which
 *     plans as Loki's artifact does, with none)
 * @param trafficSplit whether a task's traffic may be split across two variants ({@link Spill}); only
 *     for policies with accuracy scaling, since the split is between variants
 * @param frameworkSharePerRps percent of one device the serving framework itself keeps busy per request/s
 *     of root demand, where it runs on the same device as the models (a CPU: Kafka, Avro, Flink's hops,
 *     state); that much of the devices is kept free ({@link #frameworkReservePct}). 0 on GPUs.
 * @param frameworkIdlePct percent of each device the framework keeps busy with no request at all (polling
 *     sources and brokers, timers, checkpoints, metrics), kept free beside the per-request share. 0 on GPUs.
 */
public record PlanningInstance(Graph graph, Profile profile, double demandRps, int gpus, ShareGrid grid, Policy policy,
        double maxUtilisation, AccuracyRule accuracyRule, boolean trafficSplit, double frameworkSharePerRps, double frameworkIdlePct) {

    /**
     * How path accuracies combine into the graph's (DESIGN.md). Either way a path's accuracy is per root
     * frame: the product along it of each task's traffic-weighted mean accuracy (with a split, a frame's
     * pieces meet either variant in proportion to the traffic each takes).
     */
    public enum AccuracyRule {
        /**
         * The mean over paths, each weighted by the pieces a frame sends down it under the most accurate
         * variants: fixed per graph, so a plan's variant choice cannot change how much a branch counts
         * (with per-piece weights, a detector that finds fewer objects would make its own misses count less).
         */
        TRAFFIC_WEIGHTED_MEAN,
        /** The least accurate path. */
        MIN
    }

    public PlanningInstance(Graph graph, Profile profile, double demandRps, int gpus, ShareGrid grid, Policy policy,
            double maxUtilisation, AccuracyRule accuracyRule) {
        this(graph, profile, demandRps, gpus, grid, policy, maxUtilisation, accuracyRule, true);
    }

    public PlanningInstance(Graph graph, Profile profile, double demandRps, int gpus, ShareGrid grid, Policy policy,
            double maxUtilisation, AccuracyRule accuracyRule, boolean trafficSplit) {
        this(graph, profile, demandRps, gpus, grid, policy, maxUtilisation, accuracyRule, trafficSplit, 0, 0);
    }

    public static final double DEFAULT_MAX_UTILISATION = 0.9;

    public PlanningInstance {
        if (!(demandRps >= 0)) {
            throw new IllegalArgumentException("demand must be >= 0 requests/s, found " + demandRps);
        }
        if (gpus < 1) {
            throw new IllegalArgumentException("need at least one GPU, found " + gpus);
        }
        if (!(frameworkSharePerRps >= 0)) {
            throw new IllegalArgumentException("the framework's share per request/s must be >= 0, found " + frameworkSharePerRps);
        }
        if (!(frameworkIdlePct >= 0 && frameworkIdlePct < 100)) {
            throw new IllegalArgumentException("the framework's idle share must be in [0, 100) % of a device, found " + frameworkIdlePct);
        }
        if (!(maxUtilisation > 0 && maxUtilisation <= 1)) {
            throw new IllegalArgumentException("max utilisation must be in (0, 1], found " + maxUtilisation);
        }
        for (Task t : graph.tasks()) {
            for (io.jigsaw.core.graph.Variant v : t.variants()) {
                if (Double.isNaN(v.accuracy())) {
                    throw new IllegalArgumentException("variant " + v.name() + " of task " + t.name() + " has no accuracy yet: "
                            + "declare one in the graph, or train and measure it with `bin/jigsaw models --graph <graph>`");
                }
            }
        }
    }

    public static PlanningInstance of(Graph graph, Profile profile, double demandRps, int gpus, ShareGrid grid, Policy policy) {
        return new PlanningInstance(graph, profile, demandRps, gpus, grid, policy, DEFAULT_MAX_UTILISATION,
                AccuracyRule.TRAFFIC_WEIGHTED_MEAN);
    }

    public PlanningInstance withDemand(double rps) {
        return with(c -> c.demandRps = rps);
    }

    /** The same instance on another version of the graph (e.g. with observed fan-outs). */
    public PlanningInstance withGraph(Graph other) {
        return with(c -> c.graph = other);
    }

    public PlanningInstance withPolicy(Policy other) {
        return with(c -> c.policy = other);
    }

    public PlanningInstance withGpus(int count) {
        return with(c -> c.gpus = count);
    }

    public PlanningInstance withTrafficSplit(boolean split) {
        return with(c -> c.trafficSplit = split);
    }

    /** The components a wither may change, starting from this instance's (the new instance checks them again). */
    private final class Copy {
        Graph graph = graph();
        Policy policy = policy();
        double demandRps = demandRps();
        double frameworkSharePerRps = frameworkSharePerRps();
        double frameworkIdlePct = frameworkIdlePct();
        int gpus = gpus();
        boolean trafficSplit = trafficSplit();
    }

    private PlanningInstance with(java.util.function.Consumer<Copy> change) {
        Copy c = new Copy();
        change.accept(c);
        return new PlanningInstance(c.graph, profile, c.demandRps, c.gpus, grid, c.policy, maxUtilisation, accuracyRule, c.trafficSplit,
                c.frameworkSharePerRps, c.frameworkIdlePct);
    }

    /**
     * The same instance with the framework's own CPU accounted, where the models run on the CPU too: a
     * profile measured on a CPU device of N threads ({@code cpu-Nt}, as `bin/jigsaw profile` names it) makes
     * a device N threads, so {@code cpuMsPerRequest} of CPU time per request is {@code cpuMsPerRequest / N}
     * device-milliseconds, and {@code idleCores} busy with no requests are {@code 100 × idleCores / N} % of
     * each device; on any other device the framework runs beside it and nothing changes.
     */
    public PlanningInstance withFrameworkCpu(double cpuMsPerRequest, double idleCores) {
        if (!(cpuMsPerRequest >= 0) || !(idleCores >= 0)) {
            throw new IllegalArgumentException("the framework's CPU must be >= 0, found " + cpuMsPerRequest + " ms per request and "
                    + idleCores + " idle cores");
        }
        java.util.OptionalInt threads = profile.cpuThreads();
        double perRps = threads.isPresent() ? 100 * cpuMsPerRequest / (1000.0 * threads.getAsInt()) : 0;
        double idlePct = threads.isPresent() ? 100 * idleCores / threads.getAsInt() : 0;
        return with(c -> {
            c.frameworkSharePerRps = perRps;
            c.frameworkIdlePct = idlePct;
        });
    }

    /** The same with no idle cost: {@code withFrameworkCpu(cpuMsPerRequest, 0)}. */
    public PlanningInstance withFrameworkCpu(double cpuMsPerRequest) {
        return withFrameworkCpu(cpuMsPerRequest, 0);
    }

    /** Percent of each device kept free for the framework at this demand: its idle share, and the per-request share spread evenly over the devices. */
    public double frameworkReservePct() {
        return frameworkIdlePct + demandRps * frameworkSharePerRps / gpus;
    }

    /** Whether this policy on this instance may split a task's traffic across variants. */
    public boolean splits() {
        return trafficSplit && policy.accuracyScaling();
    }

    /** The busy fraction replicas are planned to under this policy (1 for Loki's own settings: no cap). */
    public double utilisation() {
        return policy.utilisationCap() ? maxUtilisation : 1.0;
    }

    public List<Task> tasks() {
        return graph.tasks();
    }

    /**
     * The options a task may take under the policy: profiled variants (only the most accurate profiled
     * one without accuracy scaling), profiled batch sizes (Loki: powers of two), the grid's shares
     * (whole GPUs without partitioning). A pseudo-task has one free option.
     */
    public List<TaskOption> options(Task task) {
        if (task.pseudo()) {
            return List.of(new TaskOption(task.variants().get(0).name(), 1, 0));
        }
        List<Variant> variants = profiled(task);
        if (policy.literal()) {
            variants = variants.stream().filter(v -> !LokiArtifact.DROPPED_VARIANTS.contains(v.name())).toList();
        }
        if (!policy.accuracyScaling()) {
            variants = List.of(mostAccurateProfiled(task));
        }
        List<Double> shares = policy.partitioning() ? grid.shares() : List.of(100.0);
        List<TaskOption> out = new ArrayList<>();
        for (Variant v : variants) {
            // Processes measured sharing one MIG slice: a replica may be one of n on its slice's 1/n.
            java.util.Set<Integer> processCounts = grid.mig() && policy.partitioning() ? profile.processCounts(v.name()) : java.util.Set.of(1);
            for (int b : profile.batches(v.name())) {
                if (policy.powersOfTwoBatches() && Integer.bitCount(b) != 1) {
                    continue;
                }
                for (double s : shares) {
                    for (int n : processCounts) {
                        if (profile.row(v.name(), s / n, b, n).isPresent()) {
                            out.add(new TaskOption(v.name(), b, s / n, n));
                        }
                    }
                }
            }
        }
        return out;
    }

    public List<Variant> profiled(Task task) {
        return task.variants().stream().filter(v -> v.pseudo() || profile.has(v.name())).toList();
    }

    public Variant mostAccurateProfiled(Task task) {
        Variant best = null;
        for (Variant v : profiled(task)) {
            if (best == null || v.accuracy() > best.accuracy()) {
                best = v;
            }
        }
        return best;
    }

    public ProfileRow row(TaskOption option) {
        return profile.row(option.variant(), option.share(), option.batch(), option.processes()).orElseThrow(
                () -> new IllegalArgumentException("no profile row for " + option));
    }

    public int taskIndex(String task) {
        for (int i = 0; i < graph.tasks().size(); i++) {
            if (graph.tasks().get(i).name().equals(task)) {
                return i;
            }
        }
        throw new IllegalArgumentException("no task " + task);
    }
}
