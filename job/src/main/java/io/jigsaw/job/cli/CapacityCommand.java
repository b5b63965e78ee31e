package io.jigsaw.job.cli;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.planner.capacity.PolicyCapacity;
import io.jigsaw.planner.model.PlanEvaluator;
import io.jigsaw.planner.model.PlanningInstance;
import io.jigsaw.planner.model.Policy;
import io.jigsaw.planner.profile.Profile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "capacity", mixinStandardHelpOptions = true,
        header = "Finds the most demand (req/s) a policy can serve on N GPUs.",
        description = "Maximum serviceable demand: the highest root rate (req/s) for which the policy finds a feasible plan "
                + "on N GPUs. Loki's policies plan as Loki does, with its per-path ILP (traffic routed per combination of "
                + "variants; SCIP, at most 2 minutes), which maximises the demand itself and proves it (gap 0 %%) on a tree-shaped "
                + "graph; every other policy, and Loki's on a graph with a join, by doubling then bisection to --tolerance, each "
                + "probe solved by the heuristic planner (gap n/a: no bound known). --policy all compares every policy; ratios are "
                + "against loki. Figures rest on the profile given; derived partition rows are counted and reported.")
final class CapacityCommand implements Callable<Integer> {

    /** The longest Loki's per-path ILP may take for one capacity (it proves the optimum in seconds on Loki's app). */
    static final Duration ILP_LIMIT = Duration.ofMinutes(2);

    @Mixin
    PlanningOptions options;

    @Option(names = "--policy", defaultValue = "all",
            description = "A policy (jigsaw, no-accuracy-scaling, no-partitioning, even-budget, loki, loki-published, loki-literal) or all (default: ${DEFAULT-VALUE}).")
    String policy;

    @Bounds(min = 0, minExclusive = true, max = 1)
    @Option(names = "--tolerance", defaultValue = "0.001", description = "Relative precision of the search: it bisects until the "
            + "highest demand served and the lowest not are this close (default: ${DEFAULT-VALUE}; each probe starts from the last "
            + "plan served, so the last halvings cost a few probes of seconds; 0.01 was the default before 2026-12-06).")
    double tolerance;

    @Bounds(min = 0)
    @Option(names = "--bound", paramLabel = "DURATION", defaultValue = "PT0S",
            description = "Also bound each heuristic figure from above, ISO-8601 (e.g. PT10M): the per-path relaxation of the "
                    + "planner's model (OR-Tools SCIP, at most 2 minutes), then, on a tree, the per-task branch and bound for up "
                    + "to this long, which steps up from the figure by --tolerance, each demand proven served (a plan) or not (the "
                    + "bound). Printed as the gap. Minutes on Loki's app near its optimum. Default: ${DEFAULT-VALUE}, none (gap n/a).")
    Duration bound;

    @Mixin
    JsonLine json;

    /** One policy's capacity with its progress on stderr; {@code report} runs the same. */
    static PolicyCapacity.Figure search(PlanningOptions options, PlanningInstance instance, double tolerance) {
        return search(options, instance, tolerance, Duration.ZERO);
    }

    static PolicyCapacity.Figure search(PlanningOptions options, PlanningInstance instance, double tolerance, Duration bound) {
        System.err.printf(Locale.ROOT, "[capacity] %s, %d GPU(s), accuracy SLO %s:", instance.policy().cliName(), instance.gpus(),
                instance.graph().accuracySloText());
        PolicyCapacity.Figure r = new PolicyCapacity(options.solverSettings(), tolerance, ILP_LIMIT, bound).find(instance,
                probe -> System.err.printf(Locale.ROOT, " %.1f%s", probe.demandRps(), probe.feasible() ? "+" : "-"));
        System.err.printf(Locale.ROOT, "  (%s, %.1f s)%n", r.method(), r.time().toMillis() / 1000.0);
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
        Map<String, PolicyCapacity.Figure> gaps = new LinkedHashMap<>();
        for (Policy p : policies) {
            PolicyCapacity.Figure r = search(options, options.instance(graph, profile, 1, p), tolerance, bound);
            capacity.put(p.cliName(), r.capacityRps());
            reasons.put(p.cliName(), r.limitedBy());
            derivedUsed.put(p.cliName(), r.usesDerivedRows());
            splitTasks.put(p.cliName(), r.splitTasks());
            gaps.put(p.cliName(), r);
        }
        Double loki = capacity.get(Policy.LOKI.cliName());
        System.out.printf(Locale.ROOT, "%s on %d GPU(s), device %s, latency SLO %.0f ms, accuracy SLO %s, traffic split %s;"
                + " %d derived profile rows%n", graph.name(), options.gpus(), profile.device(), graph.latencySloMs(), graph.accuracySloText(),
                options.trafficSplit ? "on" : "off", profile.derivedRows());
        System.out.println("profile: " + profile.describe() + (options.mig ? "; partitions are MIG slices in valid A100 layouts" : ""));
        String accuracyModel = new PlanEvaluator(options.instance(graph, profile, 0, Policy.JIGSAW)).accuracyModel();
        System.out.println("accuracy: " + accuracyModel + (graph.measuredCombinations().isPresent()
                ? " (Loki's ILP plans with its own path product, as Loki does)" : ""));
        if (profile.cpuThreads().isPresent() && (options.frameworkCpuMs > 0 || options.frameworkIdleCores > 0)) {
            PlanningInstance shared = options.instance(graph, profile, 0, Policy.JIGSAW);
            System.out.printf(Locale.ROOT, "the models share the CPU with the framework: %.2f idle cores and %.2f CPU ms per request kept "
                    + "free for it (--framework-idle-cores, --framework-cpu-ms; %.1f %% of each device, and %.3f %% per req/s)%n",
                    options.frameworkIdleCores, options.frameworkCpuMs, shared.frameworkIdlePct(), shared.frameworkSharePerRps());
        }
        System.out.printf(Locale.ROOT, "%-22s %14s %10s %12s %8s  %s%n", "policy", "capacity req/s", "vs loki", "split tasks", "gap",
                "limited by");
        capacity.forEach((name, rps) -> System.out.printf(Locale.ROOT, "%-22s %14.2f %10s %12d %8s  %s%n", name, rps,
                loki == null || loki == 0 ? "-" : String.format(Locale.ROOT, "%.2fx", rps / loki), splitTasks.get(name),
                gaps.get(name).gapLabel(), reasons.get(name)));
        System.out.println("gap: (proven bound - found) / bound; n/a where the figure is a heuristic's and no bound was asked for (--bound)");
        if (json.on) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("graph", graph.name());
            m.put("device", profile.device());
            m.put("gpus", options.gpus());
            m.put("accuracy_slo", graph.accuracySlo());
            m.put("accuracy_slo_end_to_end", graph.accuracySloAbsolute());
            m.put("accuracy_model", accuracyModel);
            m.put("latency_slo_ms", graph.latencySloMs());
            m.put("traffic_split", options.trafficSplit);
            m.put("split_tasks_at_capacity", splitTasks);
            m.put("derived_rows", profile.derivedRows());
            m.put("profile", profile.describe());
            m.put("mig", options.mig);
            m.put("capacity_rps", capacity);
            m.put("plan_uses_derived_rows", derivedUsed);
            m.put("limited_by", reasons);
            Map<String, Object> bound = new LinkedHashMap<>();
            Map<String, String> method = new LinkedHashMap<>();
            gaps.forEach((name, f) -> {
                bound.put(name, Double.isNaN(f.boundRps()) ? null : f.boundRps());
                method.put(name, f.method());
            });
            m.put("bound_rps", bound);
            m.put("method", method);
            json.print(m);
        }
        return 0;
    }
}
