package io.jigsaw.bench;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.GraphLoader;
import io.jigsaw.core.trace.Trace;
import io.jigsaw.core.trace.TraceFiles;
import io.jigsaw.planner.model.PlanningInstance;
import io.jigsaw.planner.model.Policy;
import io.jigsaw.planner.profile.Profile;
import io.jigsaw.planner.profile.ProfileLoader;
import io.jigsaw.planner.profile.ShareGrid;
import io.jigsaw.planner.sim.PlanCache;
import io.jigsaw.planner.sim.SimulationResult;
import io.jigsaw.planner.sim.Simulator;
import io.jigsaw.planner.solver.PlanSolver;
import io.jigsaw.planner.solver.SolverSettings;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * How fast the simulator runs: a Loki app (or any graph with a profile beside it) on 8 GPUs serving
 * Poisson and Gamma (CV² 4) traces of about 1.2 M requests, with one fixed plan and with online
 * re-planning. Prints simulated requests per minute of event-loop time (planning excluded, and
 * printed beside it) — the goal is at least 1 M per minute.
 *
 * <p>{@code ./mvnw -q -B install -DskipTests && ./mvnw -q -B -pl bench exec:exec@simulator}
 */
public final class SimulatorBench {

    private SimulatorBench() {
    }

    public static void main(String[] args) {
        Path graphFile = Path.of(args[0]);
        Graph graph = GraphLoader.load(graphFile);
        Profile profile = ProfileLoader.load(graph, graphFile, List.of(), null, ShareGrid.mps(10));
        PlanningInstance template = PlanningInstance.of(graph, profile, 1, 8, ShareGrid.mps(10), Policy.JIGSAW);
        System.out.printf(Locale.ROOT, "SimulatorBench: %s on 8 GPUs, policy jigsaw, %d cores, %s%n", graph.name(),
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        // Warm the JIT on a short run so the figures are steady-state.
        run(template, "poisson:rate=100,duration=300,seed=9", false);
        for (String spec : List.of("poisson:rate=100,duration=12000,seed=1", "gamma:rate=100,cv2=4,duration=12000,seed=1")) {
            for (boolean replan : List.of(false, true)) {
                SimulationResult r = run(template, spec, replan);
                System.out.printf(Locale.ROOT, "%-42s replan=%-5s requests %8d  wall %6.2f s  planning %6.2f s  event loop %,12.0f requests/min"
                                + "  (SLO violations %.3f %%, GPU share %.1f %%: SIMULATION)%n", spec, replan, r.requests(), r.wallSeconds(),
                        r.planningSeconds(), r.requestsPerMinute(), r.sloViolationPct(), r.gpuShareUsedPct());
            }
        }
    }

    private static SimulationResult run(PlanningInstance template, String spec, boolean replan) {
        Trace trace = TraceFiles.open(spec);
        Simulator.Settings settings = Simulator.Settings.defaults().withReplan(replan);
        PlanSolver solver = new PlanSolver(SolverSettings.defaults());
        return new Simulator(template, new PlanCache(solver::solve, 0.025), settings).run(trace, f -> { });
    }
}
