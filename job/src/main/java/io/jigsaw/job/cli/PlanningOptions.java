package io.jigsaw.job.cli;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.GraphLoader;
import io.jigsaw.core.input.InputException;
import io.jigsaw.job.models.ModelCache;
import io.jigsaw.planner.model.PlanningInstance;
import io.jigsaw.planner.model.Policy;
import io.jigsaw.planner.profile.Profile;
import io.jigsaw.planner.profile.ProfileLoader;
import io.jigsaw.planner.profile.ShareGrid;
import io.jigsaw.planner.solver.SolverSettings;
import io.jigsaw.runtime.SavedModelSignatures;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The options {@code plan} and {@code capacity} share: what to plan for and on what. */
final class PlanningOptions {

    @Option(names = "--graph",
            description = "Graph: our YAML, or a Loki app JSON with accuracy_<task>.csv, branching.csv and runtimes.csv beside it"
                    + " (default: the demo's examples/xr-scene/graph.yaml).")
    Path graph;

    @Option(names = "--profile", paramLabel = "FILE",
            description = "Profile CSV (variant,device,share,batch,p50_ms,p99_ms,source), Loki's runtimes.csv, or ParvaGPU's"
                    + " measured A100 MIG rows (<model>.csv, or their prof_data folder: the model is the file's name); repeatable."
                    + " Default: the runtimes.csv beside a Loki app, or the one profile-*.csv beside the graph.")
    List<Path> profiles = new ArrayList<>();

    @Option(names = "--device", description = "Accelerator column to plan for (default: onnxruntime_gpu_ampere for Loki's"
            + " runtimes.csv, the only device of our CSV).")
    String device;

    @Bounds(min = 1)
    @Option(names = "--gpus", description = "GPUs available (default: 8; in the demo 1, which on CPU is the machine's cores).")
    Integer gpus;

    /** Set by a command whose natural default differs (the demo plans one CPU 'GPU'). */
    int defaultGpus = 8;

    int gpus() {
        return gpus != null ? gpus : defaultGpus;
    }

    @Bounds(min = 0, minExclusive = true, max = 1)
    @Option(names = "--accuracy-slo", description = "End-to-end accuracy as a fraction of the best achievable: of the best"
            + " combination of variants where they were measured (combinations.csv), else of the path product of every task's best"
            + " (default: the graph's, 0.9 for Loki apps).")
    Double accuracySlo;

    @Bounds(min = 0, minExclusive = true, max = 1)
    @Option(names = "--accuracy-slo-end-to-end", paramLabel = "FRACTION", description = "End-to-end accuracy in the graph's own units"
            + " (e.g. 0.70: per path the product of its tasks' scores, as results' accuracy_measured), instead of --accuracy-slo;"
            + " needs the variant combinations measured by `bin/jigsaw models`.")
    Double accuracySloEndToEnd;

    @Bounds(min = 0, minExclusive = true)
    @Option(names = "--latency-slo", paramLabel = "MS", description = "End-to-end latency SLO in milliseconds, overriding the graph's"
            + " (our YAML's latency_slo_ms, a Loki app's latencySLOInMSec).")
    Double latencySlo;

    @Bounds(min = 0)
    @Option(names = "--framework-cpu-ms", paramLabel = "MS", description = "CPU ms the serving framework spends per request on the "
            + "cores the models use, kept free when the profile is of a CPU device (cpu-Nt); calibrated by the capacity benchmark "
            + "(default: ${DEFAULT-VALUE}; 0 plans as if the models had the cores to themselves).")
    double frameworkCpuMs = io.jigsaw.job.JigsawOptions.PLANNER_FRAMEWORK_CPU_MS.defaultValue();

    @Bounds(min = 0)
    @Option(names = "--framework-idle-cores", paramLabel = "CORES", description = "CPU cores the serving framework keeps busy with no "
            + "request at all (polling, timers, checkpoints, the broker), kept free on each CPU device beside --framework-cpu-ms; "
            + "calibrated by the capacity benchmark (default: ${DEFAULT-VALUE}).")
    double frameworkIdleCores = io.jigsaw.job.JigsawOptions.PLANNER_FRAMEWORK_IDLE_CORES.defaultValue();

    @Option(names = "--traffic-split", defaultValue = "true", negatable = true, fallbackValue = "true",
            description = "Let a task split its traffic across two variants (Loki's mechanism; every policy with accuracy scaling);"
                    + " --no-traffic-split plans one variant per task (default: split).")
    boolean trafficSplit;

    @Bounds(min = 1, max = 100)
    @Option(names = "--share-step", defaultValue = "10", description = "MPS partition step in percent (default: ${DEFAULT-VALUE}).")
    int shareStep;

    @Option(names = "--mig", description = "Partitions are an A100's MIG slices (1g, 2g, 3g, 4g, 7g), each GPU's in a valid MIG layout,"
            + " instead of MPS percent steps; processes measured sharing a slice (ParvaGPU's rows) share one.")
    boolean mig;

    @Option(names = "--partition-model", description = "How partition rows are derived where the profile measured none: COMPUTE"
            + " (whole-GPU batch curve's compute part over the share; validated on ParvaGPU's A100 MIG rows) or UTILISATION"
            + " (l(b)*max(1, u(b)/p)). Default: UTILISATION (DESIGN.md's rule; on ParvaGPU's"
            + " measured slices 46 of 323 rows come out optimistic by more than 10 %%, against 1 under COMPUTE: docs/planning.md).")
    io.jigsaw.planner.profile.PartitionModel.Rule partitionModel;

    @Bounds(min = 0, minExclusive = true, max = 1)
    @Option(names = "--max-utilisation", defaultValue = "0.9",
            description = "Busy fraction each replica is planned to at most (default: ${DEFAULT-VALUE}).")
    double maxUtilisation;

    @Bounds(min = 0, minExclusive = true)
    @Option(names = "--time-limit", defaultValue = "PT5S",
            description = "Longest a single solve (or sidecar re-plan) may take, ISO-8601 (default: ${DEFAULT-VALUE}).")
    Duration timeLimit;

    Path graphFile() {
        return graph != null ? graph : JigsawCli.demoGraph();
    }

    /**
     * The graph, checked against those of its models that are built and up to date: a model that does
     * not fit stops here. Models not built yet, or built from an older recipe, are named (the demo and
     * {@code models} build them) and checked once built.
     */
    Graph loadGraph() {
        Graph g = GraphLoader.load(graphFile());
        List<String> stale;
        try {
            stale = ModelCache.missing(g);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        if (!stale.isEmpty()) {
            System.err.println("note: models not built, or built from another recipe: " + stale + " (bin/jigsaw models --graph "
                    + graphFile() + " builds them)");
        }
        SavedModelSignatures.check(g, v -> !stale.contains(v.name()));
        return withSlos(g);
    }

    /** The graph with the SLOs given on the command line in place of its own. */
    Graph withSlos(Graph g) {
        if (accuracySlo != null && accuracySloEndToEnd != null) {
            throw new CommandLine.ParameterException(new CommandLine(this), "give --accuracy-slo (a fraction of the best) or"
                    + " --accuracy-slo-end-to-end (in the graph's units), not both");
        }
        Graph out = accuracySlo == null ? g : g.withAccuracySlo(accuracySlo);
        if (accuracySloEndToEnd != null) {
            if (g.measuredCombinations().isEmpty()) {
                throw new InputException(g.source(), "--accuracy-slo-end-to-end", "graph " + g.name() + " has no measured combinations"
                        + " of its variants (combinations.csv beside accuracy.csv, written by `bin/jigsaw models`): give --accuracy-slo,"
                        + " a fraction of the best, instead");
            }
            out = g.withAbsoluteAccuracySlo(accuracySloEndToEnd);
        }
        return latencySlo == null ? out : out.withLatencySlo(latencySlo);
    }

    ShareGrid grid() {
        return mig ? ShareGrid.migSlices() : ShareGrid.mps(shareStep);
    }

    /** The graph's profile; the loader's fallbacks and left-out variants go to stderr, never silent. */
    Profile loadProfile(Graph g) {
        Profile p = ProfileLoader.load(g, graphFile(), profiles, device, grid(), partitionModel);
        g.warnings().forEach(w -> System.err.println("warning: " + w));
        p.warnings().forEach(w -> System.err.println("warning: " + w));
        return p;
    }

    PlanningInstance instance(Graph g, Profile profile, double demand, Policy policy) {
        return instance(g, profile, demand, policy, gpus());
    }

    PlanningInstance instance(Graph g, Profile profile, double demand, Policy policy, int gpuCount) {
        return new PlanningInstance(g, profile, demand, gpuCount, grid(), policy, maxUtilisation,
                PlanningInstance.AccuracyRule.TRAFFIC_WEIGHTED_MEAN, trafficSplit).withFrameworkCpu(frameworkCpuMs, frameworkIdleCores);
    }

    SolverSettings solverSettings() {
        return SolverSettings.defaults().withLimits(timeLimit, Duration.ofMillis(Math.min(500, timeLimit.toMillis())));
    }
}
