package io.jigsaw.job.cli;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.trace.Trace;
import io.jigsaw.core.trace.TraceFiles;
import io.jigsaw.job.report.Report;
import io.jigsaw.job.report.ReportWriter;
import io.jigsaw.job.report.ServedRun;
import io.jigsaw.planner.capacity.PolicyCapacity;
import io.jigsaw.planner.model.Policy;
import io.jigsaw.planner.model.SolvedPlan;
import io.jigsaw.planner.profile.Profile;
import io.jigsaw.planner.sim.PlanCache;
import io.jigsaw.planner.sim.SimulationResult;
import io.jigsaw.planner.sim.Simulator;
import io.jigsaw.planner.solver.PlanSolver;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "report", mixinStandardHelpOptions = true,
        header = "Writes an HTML report: capacity and simulations of each policy.",
        description = "A paper-style report of a graph and its profiles: capacity of every policy over a sweep of GPUs and "
                + "accuracy SLOs and, with --trace, a SIMULATION of every policy on the trace (on --gpus GPUs). Writes a "
                + "self-contained folder: index.html with PNG plots (capacity per policy, SLO violations and GPU share over "
                + "time, accuracy vs GPU share) and the tables behind them, marking results that rest on derived rows. With "
                + "--served, runs the real job served: the accuracy their plans promised against the accuracy MEASURED on their "
                + "requests' truth, per plan version.")
final class ReportCommand implements Callable<Integer> {

    // Options alike across commands are shared as mixins (PlanningOptions, PolicyOption, JsonLine, KafkaClientOption,
    // ConfigurationOption); the fields left of the same shape are per-command declarations, not repeated logic.

    @Mixin
    PlanningOptions options;

    @Option(names = "--trace", description = "Trace to simulate every policy on (file or synthetic spec); without it, capacity only.")
    String trace;

    @Bounds(min = 1)
    @Option(names = "--gpus-sweep", split = ",", defaultValue = "2,4,8", description = "GPU counts of the capacity sweep (default: ${DEFAULT-VALUE}).")
    List<Integer> gpusSweep;

    @Bounds(min = 0, minExclusive = true, max = 1)
    @Option(names = "--accuracy-sweep", split = ",", defaultValue = "0.8,0.9,0.95",
            description = "Accuracy SLOs of the capacity sweep (default: ${DEFAULT-VALUE}).")
    List<Double> accuracySweep;

    @Bounds(min = 0, minExclusive = true)
    @Option(names = "--latency-sweep", split = ",", paramLabel = "MS",
            description = "Latency SLOs (ms) for a capacity sweep per policy at the graph's (or --accuracy-slo's) accuracy SLO over the"
                    + " --gpus-sweep counts, with the jigsaw / loki ratio plotted; e.g. 60,100,150,250,500 (default: none).")
    List<Double> latencySweep = new ArrayList<>();

    @Bounds(min = 0, minExclusive = true, max = 1)
    @Option(names = "--tolerance", defaultValue = "0.02", description = "Relative precision of each capacity search (default: ${DEFAULT-VALUE}).")
    double tolerance;

    @Option(names = "--served", paramLabel = "SUMMARY", description = "A `bin/jigsaw demo --json` output saved to a file (its last "
            + "line is read): adds planned vs measured accuracy of that run, per plan version. Repeatable.")
    List<Path> served = new ArrayList<>();

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the simulations (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", defaultValue = "report", description = "Folder to write (default: ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() throws Exception {
        List<ServedRun> runs = served.stream().map(ServedRun::read).toList(); // a bad file fails before the long work
        Graph graph = options.loadGraph();
        Profile profile = options.loadProfile(graph);
        List<Report.CapacityPoint> capacity = new ArrayList<>();
        for (double slo : accuracySweep) {
            eachCapacity(graph.withAccuracySlo(slo), profile, (gpus, p, r) -> capacity.add(new Report.CapacityPoint(slo, gpus,
                    p.cliName(), r.capacityRps(), r.limitedBy(), r.usesDerivedRows())));
        }
        List<Report.LatencyPoint> latency = new ArrayList<>();
        for (double ms : latencySweep) {
            Graph g = graph.withLatencySlo(ms);
            eachCapacity(g, profile, (gpus, p, r) -> latency.add(new Report.LatencyPoint(ms, g.accuracySlo(), gpus, p.cliName(),
                    r.capacityRps(), r.splitTasks(), r.usesDerivedRows())));
        }
        List<SimulationResult> simulations = new ArrayList<>();
        String traceName = "";
        if (trace != null) {
            Trace t = TraceFiles.open(trace);
            traceName = t.toString();
            Simulator.Settings settings = Simulator.Settings.defaults().withSeed(seed);
            for (Policy p : Policy.values()) {
                System.err.printf(Locale.ROOT, "[report] simulating %s on %s ...%n", p.cliName(), t);
                SimulationResult r = new Simulator(options.instance(graph, profile, 1, p),
                        new PlanCache(new PlanSolver(options.solverSettings())::solve, 0.025), settings).run(t, f -> { });
                System.err.printf(Locale.ROOT, "[report]   %s: SLO violations %.3f %%, GPU share held %.1f %%, accuracy %.4f (SIMULATION)%n",
                        p.cliName(), r.sloViolationPct(), r.gpuShareUsedPct(), r.accuracy());
                simulations.add(r);
            }
        }
        Report report = new Report(graph.name(), profile.device(), graph.latencySloMs(), profile.derivedRows(), capacity, traceName,
                options.gpus(), graph.accuracySlo(), simulations, runs, latency);
        Path index = ReportWriter.write(report, out);
        System.err.println("[report] wrote " + index.toAbsolutePath());
        return 0;
    }

    /** What one capacity search of the sweep found. */
    private interface CapacityFound {
        void accept(int gpus, Policy policy, PolicyCapacity.Figure result);
    }

    /** The capacity of every policy at every GPU count of the sweep, on one version of the graph. */
    private void eachCapacity(Graph g, Profile profile, CapacityFound found) {
        for (int gpus : gpusSweep) {
            for (Policy p : Policy.values()) {
                found.accept(gpus, p, CapacityCommand.search(options, options.instance(g, profile, 1, p, gpus), tolerance));
            }
        }
    }
}
