package io.jigsaw.job.cli;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.plan.Plan;
import io.jigsaw.core.plan.PlanFile;
import io.jigsaw.core.plan.PlanValidator;
import io.jigsaw.core.trace.Trace;
import io.jigsaw.core.trace.TraceFiles;
import io.jigsaw.planner.model.PlanningInstance;
import io.jigsaw.planner.profile.Profile;
import io.jigsaw.planner.sim.JobTerms;
import io.jigsaw.planner.sim.PlanCache;
import io.jigsaw.planner.sim.SimulationResult;
import io.jigsaw.planner.sim.Simulator;
import io.jigsaw.planner.sim.Spread;
import io.jigsaw.planner.solver.PlanSolver;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "simulate", mixinStandardHelpOptions = true,
        header = "Simulates a policy serving a trace (a discrete-event SIMULATION).",
        description = "A discrete-event SIMULATION of one policy serving a trace with the profiles: per-replica queues and "
                + "batching as the plan says, re-planning with the planner sidecar's own code from simulated telemetry, "
                + "plan-change delays, early drop. Prints SLO violations, drops, GPU share held and accuracy, overall and per task "
                + "(--json: one JSON object on the last line). Every figure is simulated, not measured serving.")
final class SimulateCommand implements Callable<Integer> {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    PlanningOptions options;

    @Mixin
    PolicyOption policy;

    @Mixin
    AdaptOption adapt;

    @Mixin
    JsonLine json;

    @Option(names = "--trace", required = true, description = "Trace file (timestamp_ms[,graph] CSV or Azure-style per-minute counts)"
            + " or a synthetic spec, e.g. poisson:rate=200,duration=600,seed=1 or gamma:rate=200,cv2=4,duration=600,seed=1.")
    String trace;

    @Option(names = "--plan", paramLabel = "FILE", description = "Serve this plan file throughout (a candidate plan, e.g. "
            + "examples/xr-scene/plan.json), with its own batch sizes, partitions and adaptation, as `demo --plan` serves it: no "
            + "re-planning, --policy and --adapt do not apply.")
    java.nio.file.Path planFile;

    @Option(names = "--no-replan", description = "Serve the whole trace with the first plan (made for the trace's first 5 s).")
    boolean noReplan;

    @Bounds(min = 0)
    @Option(names = "--plan-delay", defaultValue = "PT0.39S", description = "From a re-plan decision to the plan serving; "
            + "`demo --json` measures it as plan_switch_ms (default: ${DEFAULT-VALUE}, the median of 0.37-0.44 s measured in the "
            + "fidelity benchmark's calibration on the 2-core dev machine, 2026-12-06).")
    Duration planDelay;

    @Option(names = "--no-early-drop", description = "Run pieces whose request is past its deadline instead of dropping them.")
    boolean noEarlyDrop;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of batch times and fan-out draws (default: ${DEFAULT-VALUE}).")
    long seed;

    @Bounds(min = 0)
    @Option(names = "--commit-interval", paramLabel = "MS", defaultValue = "0", description = "Results become visible only at the "
            + "next multiple of MS (exactly-once delivery committing at checkpoints of that interval), and the planner plans to "
            + "the latency SLO less MS; 0: visible when assembled, as under idempotent delivery (default: ${DEFAULT-VALUE}).")
    long commitIntervalMs;

    @Option(names = "--models-only", description = "Simulate the models' profiled times alone, without what the job adds "
            + "(the terms below).")
    boolean modelsOnly;

    @Bounds(min = 0)
    @Option(names = "--job-cpu-ms", paramLabel = "MS", defaultValue = "" + DEFAULT_JOB_CPU_MS, description = "On a CPU profile: "
            + "CPU ms the job spends per request beside the models, sharing the device's cores with them: `demo --json`'s "
            + "cpu_ms_per_request less the models' share of it (`simulate --json`'s model_cpu_ms_per_request on the same trace); "
            + "the fidelity benchmark fits it at two rates (default: ${DEFAULT-VALUE}, the fidelity benchmark's calibration on the 2-core dev machine, 2026-12-06; the planner's own "
            + "--framework-cpu-ms is another calibration's).")
    double jobCpuMs;

    @Bounds(min = 0)
    @Option(names = "--job-idle-cores", paramLabel = "CORES", defaultValue = "" + DEFAULT_JOB_IDLE_CORES, description = "On a CPU "
            + "profile: cores the job keeps busy with no request, fitted with --job-cpu-ms (default: ${DEFAULT-VALUE}, the fidelity benchmark's calibration on the 2-core dev machine, 2026-12-06).")
    double jobIdleCores;

    @Bounds(min = 0)
    @Option(names = "--hop-ms", paramLabel = "MS", defaultValue = "0.59", description = "Median time of each move of a piece into, "
            + "between and out of the tasks, with the cores free; `demo --json` measures it as framework_per_hop_p50_ms (default: "
            + "${DEFAULT-VALUE}, measured at 30 req/s in the fidelity benchmark's calibration on the 2-core dev machine, 2026-12-06).")
    double hopMs;

    @Bounds(min = 0)
    @Option(names = "--hop-p99-ms", paramLabel = "MS", defaultValue = "6.78", description = "Its 99th percentile (at least --hop-ms): "
            + "hops are drawn log-normal through both; framework_per_hop_p99_ms (default: ${DEFAULT-VALUE}, measured with it).")
    double hopP99Ms;

    @Bounds(min = 0)
    @Option(names = "--delivery-ms", paramLabel = "MS", defaultValue = "3", description = "Median time from a result's assembly to "
            + "the client's read; `demo --json` measures it as result_visible_p50_ms (default: ${DEFAULT-VALUE}, measured with "
            + "--hop-ms).")
    double deliveryMs;

    @Bounds(min = 0)
    @Option(names = "--delivery-p99-ms", paramLabel = "MS", defaultValue = "16", description = "Its 99th percentile (at least "
            + "--delivery-ms); result_visible_p99_ms (default: ${DEFAULT-VALUE}, measured with --hop-ms).")
    double deliveryP99Ms;

    @Bounds(min = 0)
    @Option(names = "--batch-overhead-ms", paramLabel = "MS", defaultValue = "1.24", description = "What each batch takes in the job beyond "
            + "its profiled time (dispatch, conversions, caches cold from the rest of the machine): `demo --json`'s path_p50_ms.model "
            + "less `simulate --json`'s path_model_p50_ms, per task on the slowest branch; the fidelity benchmark measures it "
            + "(default on a CPU profile: ${DEFAULT-VALUE}, measured at 30 req/s in the fidelity benchmark's calibration on the 2-core dev machine, 2026-12-06; on a GPU profile 0 unless given).")
    double batchOverheadMs;

    static final double DEFAULT_JOB_CPU_MS = 5.5;
    static final double DEFAULT_JOB_IDLE_CORES = 0.58;

    @Override
    public Integer call() throws Exception {
        Spread hop = spread("--hop", hopMs, hopP99Ms);
        Spread delivery = spread("--delivery", deliveryMs, deliveryP99Ms);
        Graph graph = options.loadGraph();
        Profile profile = options.loadProfile(graph);
        Trace t = TraceFiles.open(trace);
        Plan fixed = planFile == null ? null : PlanValidator.requireValid(PlanFile.read(planFile), graph, planFile);
        System.err.println("[simulate] " + t + (fixed == null ? "" : "; static plan v" + fixed.version() + " from " + planFile));
        PlanningInstance template = options.instance(graph, profile, 1, policy.policy());
        // The default overhead was measured against a CPU profile; on another device it applies only when given.
        double overheadMs = profile.cpuThreads().isPresent() || spec.commandLine().getParseResult().hasMatchedOption("--batch-overhead-ms")
                ? batchOverheadMs : 0;
        Simulator.Settings settings = Simulator.Settings.defaults().withPlanChangeDelay(planDelay).withEarlyDrop(!noEarlyDrop)
                .withReplan(!noReplan).withSeed(seed).withCommitInterval(Duration.ofMillis(commitIntervalMs))
                .withJobTerms(modelsOnly ? JobTerms.NONE
                        : new JobTerms(profile.cpuThreads().orElse(0), jobCpuMs, jobIdleCores, hop, delivery, overheadMs));
        PlanCache plans = new PlanCache(new PlanSolver(options.solverSettings())::solve, 0.025);
        SimulationResult r;
        try (ProgressBar bar = Progress.bar("simulate %", 100)) {
            Simulator simulator = new Simulator(template, plans, settings, adapt.adapter(graph));
            r = fixed == null ? simulator.run(t, f -> bar.stepTo(Math.round(f * 100)))
                    : simulator.run(t, fixed, f -> bar.stepTo(Math.round(f * 100)));
        }
        java.io.PrintWriter out = spec.commandLine().getOut();
        print(r, graph, profile, plans.solves(), out);
        out.println("job terms simulated: " + settings.terms().label());
        if (fixed != null) {
            out.println("plan: static v" + fixed.version() + " from " + planFile
                    + " throughout (no re-planning; --policy and --adapt do not apply)");
        }
        Map<String, Object> summary = summary(r, profile, t);
        summary.put("job_terms", settings.terms().label());
        summary.put("adapt", fixed == null ? adapt.mode().cliName : "as the plan file says");
        summary.put("planner", fixed == null ? "sidecar, policy " + r.policy() : "static " + planFile);
        out.flush();
        json.print(summary, out);
        return 0;
    }

    private Spread spread(String option, double p50Ms, double p99Ms) {
        if (p99Ms < p50Ms || p50Ms == 0 && p99Ms > 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), option + "-p99-ms (" + p99Ms + ") must be at least "
                    + option + "-ms (" + p50Ms + "), and " + option + "-ms above 0 if it is");
        }
        return new Spread(p50Ms, p99Ms);
    }

    static void print(SimulationResult r, Graph graph, Profile profile, int solves, java.io.PrintWriter o) {
        o.printf(Locale.ROOT, "SIMULATION of %s, policy %s on %d GPU(s), device %s, latency SLO %.0f ms%s%n", graph.name(), r.policy(),
                r.gpus(), profile.device(), graph.latencySloMs(), profile.derivedRows() > 0 ? " (profile has DERIVED partition rows)" : "");
        o.printf(Locale.ROOT, "requests %d: completed %d (late %d), dropped %d -> SLO violations %.3f %%%n", r.requests(), r.completed(),
                r.late(), r.dropped(), r.sloViolationPct());
        o.printf(Locale.ROOT, "latency p50 %.1f ms, p99 %.1f ms; GPU share held %.1f %% of %d GPU(s); accuracy %.4f%n", r.p50Ms(),
                r.p99Ms(), r.gpuShareUsedPct(), r.gpus(), r.accuracy());
        o.printf(Locale.ROOT, "plans applied %d (distinct solves %d), infeasible decisions %d; wall %.2f s of which planning %.2f s;"
                + " event loop %.0f requests/min%n", r.plansApplied(), solves, r.infeasibleDecisions(), r.wallSeconds(), r.planningSeconds(),
                r.requestsPerMinute());
        o.printf(Locale.ROOT, "%-20s %10s %9s %9s %10s %12s %14s  %s%n", "task", "pieces", "batches", "mean b", "dropped", "mean wait ms",
                "p99 in task ms", "batches per variant; escalated");
        for (SimulationResult.TaskStats s : r.tasks()) {
            o.printf(Locale.ROOT, "%-20s %10d %9d %9.2f %10d %12.2f %14.2f  %s%n", s.task(), s.pieces(), s.batches(), s.meanBatch(),
                    s.droppedPieces(), s.meanWaitMs(), s.p99InTaskMs(), adaptation(s));
        }
    }

    /** Which variants ran the task's batches, and a cascade's escalations (blank for a task that ran one variant, no cascade). */
    static String adaptation(SimulationResult.TaskStats s) {
        if (s.rungBatches().size() <= 1 && s.cascadeInputs() == 0) {
            return "";
        }
        String rungs = new java.util.TreeMap<>(s.rungBatches()).toString();
        return s.cascadeInputs() == 0 ? rungs : String.format(Locale.ROOT, "%s; escalated %d of %d (%.1f %%)", rungs, s.escalated(),
                s.cascadeInputs(), 100.0 * s.escalated() / s.cascadeInputs());
    }

    static Map<String, Object> summary(SimulationResult r, Profile profile, Trace t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("simulation", true);
        m.put("policy", r.policy());
        m.put("gpus", r.gpus());
        m.put("trace", t.source());
        m.put("trace_duration_s", t.durationMs() / 1000);
        // As the demo counts it: answers within the SLO per second of trace.
        m.put("goodput_rps", (r.completed() - r.late()) / Math.max(0.001, t.durationMs() / 1000));
        m.put("requests", r.requests());
        m.put("completed", r.completed());
        m.put("late", r.late());
        m.put("dropped", r.dropped());
        m.put("slo_violation_pct", r.sloViolationPct());
        m.put("gpu_share_used_pct", r.gpuShareUsedPct());
        m.put("accuracy", r.accuracy());
        m.put("p50_ms", r.p50Ms());
        m.put("p99_ms", r.p99Ms());
        m.put("path_model_p50_ms", r.pathModelP50Ms());
        m.put("plans_applied", r.plansApplied());
        m.put("infeasible_decisions", r.infeasibleDecisions());
        m.put("derived_rows", profile.derivedRows());
        m.put("simulated_requests_per_minute", Math.round(r.requestsPerMinute()));
        m.put("wall_s", r.wallSeconds());
        m.put("planning_s", r.planningSeconds());
        if (r.modelCpuMsPerRequest() > 0) {
            // SIMULATED: the profile's batch times × the threads they ran on, per request.
            m.put("model_cpu_ms_per_request", r.modelCpuMsPerRequest());
        }
        Map<String, Object> tasks = new LinkedHashMap<>();
        for (SimulationResult.TaskStats s : r.tasks()) {
            if (!s.rungBatches().isEmpty() || s.cascadeInputs() > 0) {
                Map<String, Object> ts = new LinkedHashMap<>();
                ts.put("batches_per_variant", new java.util.TreeMap<>(s.rungBatches()));
                ts.put("cascade_inputs", s.cascadeInputs());
                ts.put("escalated", s.escalated());
                tasks.put(s.task(), ts);
            }
        }
        m.put("tasks", tasks);
        return m;
    }
}
