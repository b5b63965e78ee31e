package io.jigsaw.job.cli;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.planner.capacity.CapacitySearch;
import io.jigsaw.planner.model.PlanningInstance;
import io.jigsaw.planner.model.Policy;
import io.jigsaw.planner.model.SolvedPlan;
import io.jigsaw.planner.profile.Profile;
import io.jigsaw.planner.solver.PlanSolver;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "capacity", mixinStandardHelpOptions = true,
        header = "Finds the most demand (req/s) a policy can serve on N GPUs.",
        description = "Maximum serviceable demand: the highest root rate (req/s) for which the policy finds a feasible plan "
                + "on N GPUs (doubling, then bisection to 1 %%). --policy all compares every policy; ratios are against loki. "
                + "Figures rest on the profile given; derived partition rows are counted and reported.")
final class CapacityCommand implements Callable<Integer> {

    @Mixin
    PlanningOptions options;

    @Option(names = "--policy", defaultValue = "all",
            description = "A policy (jigsaw, no-accuracy-scaling, no-partitioning, even-budget, loki) or all (default: ${DEFAULT-VALUE}).")
    String policy;

    @Bounds(min = 0, minExclusive = true, max = 1)
    @Option(names = "--tolerance", defaultValue = "0.01", description = "Relative precision of the search (default: ${DEFAULT-VALUE}).")
    double tolerance;

    @Mixin
    JsonLine json;

    /** One capacity search with its probes on stderr; {@code report} runs the same. */
    static CapacitySearch.Result search(PlanningOptions options, PlanningInstance instance, double tolerance) {
        CapacitySearch search = new CapacitySearch(new PlanSolver(options.solverSettings().firstFeasible())::solve, tolerance);
        System.err.printf(Locale.ROOT, "[capacity] %s, %d GPU(s), accuracy SLO %.2f:", instance.policy().cliName(), instance.gpus(),
                instance.graph().accuracySlo());
        CapacitySearch.Result r = search.search(instance,
                probe -> System.err.printf(Locale.ROOT, " %.1f%s", probe.demandRps(), probe.feasible() ? "+" : "-"));
        System.err.printf(Locale.ROOT, "  (%d probes, %.1f s)%n", r.probes(), r.time().toMillis() / 1000.0);
        return r;
    }

    @Override
    public Integer call() throws Exception {
        Graph graph = options.loadGraph();
        Profile profile = options.loadProfile(graph);
        List<Policy> policies = policy.equals("all") ? Arrays.asList(Policy.values()) : List.of(Policy.fromCli(policy));
        Map<String, Double> capacity = new LinkedHashMap<>();
        Map<String, String> reasons = new LinkedHashMap<>();
        Map<String, Boolean> derivedUsed = new LinkedHashMap<>();
        Map<String, Long> splitTasks = new LinkedHashMap<>();
        for (Policy p : policies) {
            CapacitySearch.Result r = search(options, options.instance(graph, profile, 1, p), tolerance);
            capacity.put(p.cliName(), r.capacityRps());
            reasons.put(p.cliName(), r.reason());
            derivedUsed.put(p.cliName(), r.plan().map(s -> s.evaluation().usesDerivedRows()).orElse(false));
            splitTasks.put(p.cliName(), r.plan().map(SolvedPlan::splitTasks).orElse(0L));
        }
        Double loki = capacity.get(Policy.LOKI.cliName());
        System.out.printf(Locale.ROOT, "%s on %d GPU(s), device %s, latency SLO %.0f ms, accuracy SLO %.2f of best, traffic split %s;"
                + " %d derived profile rows%n", graph.name(), options.gpus(), profile.device(), graph.latencySloMs(), graph.accuracySlo(),
                options.trafficSplit ? "on" : "off", profile.derivedRows());
        if (profile.cpuThreads().isPresent() && (options.frameworkCpuMs > 0 || options.frameworkIdleCores > 0)) {
            PlanningInstance shared = options.instance(graph, profile, 0, Policy.JIGSAW);
            System.out.printf(Locale.ROOT, "the models share the CPU with the framework: %.2f idle cores and %.2f CPU ms per request kept "
                    + "free for it (--framework-idle-cores, --framework-cpu-ms; %.1f %% of each device, and %.3f %% per req/s)%n",
                    options.frameworkIdleCores, options.frameworkCpuMs, shared.frameworkIdlePct(), shared.frameworkSharePerRps());
        }
        System.out.printf(Locale.ROOT, "%-22s %14s %10s %12s  %s%n", "policy", "capacity req/s", "vs loki", "split tasks", "limited by");
        capacity.forEach((name, rps) -> System.out.printf(Locale.ROOT, "%-22s %14.2f %10s %12d  %s%n", name, rps,
                loki == null || loki == 0 ? "-" : String.format(Locale.ROOT, "%.2fx", rps / loki), splitTasks.get(name), reasons.get(name)));
        if (json.on) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("graph", graph.name());
            m.put("device", profile.device());
            m.put("gpus", options.gpus());
            m.put("accuracy_slo", graph.accuracySlo());
            m.put("latency_slo_ms", graph.latencySloMs());
            m.put("traffic_split", options.trafficSplit);
            m.put("split_tasks_at_capacity", splitTasks);
            m.put("derived_rows", profile.derivedRows());
            m.put("capacity_rps", capacity);
            m.put("plan_uses_derived_rows", derivedUsed);
            m.put("limited_by", reasons);
            json.print(m);
        }
        return 0;
    }
}
