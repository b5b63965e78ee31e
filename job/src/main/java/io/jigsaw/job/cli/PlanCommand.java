package io.jigsaw.job.cli;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.plan.AdaptationMode;
import io.jigsaw.core.plan.PlanFile;
import io.jigsaw.planner.adapt.PlanAdapter;
import io.jigsaw.planner.model.Evaluation;
import io.jigsaw.planner.model.PlanEvaluator;
import io.jigsaw.planner.model.PlanningInstance;
import io.jigsaw.planner.model.Policy;
import io.jigsaw.planner.model.SolvedPlan;
import io.jigsaw.planner.model.TaskLoad;
import io.jigsaw.planner.model.TaskOption;
import io.jigsaw.planner.profile.MigGeometry;
import io.jigsaw.planner.profile.Profile;
import io.jigsaw.planner.sim.ExpectedMix;
import io.jigsaw.planner.solver.PlanSolver;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "plan", mixinStandardHelpOptions = true,
        header = "Plans a graph for a demand on N GPUs: variants, batches, shares.",
        description = "Plans one graph for a root demand on N GPUs: per task its variant, batch, partitions and latency budget. "
                + "Prints a table (or --json); --out writes the plan in the format the job reads.")
final class PlanCommand implements Callable<Integer> {

    // Options alike across commands are shared as mixins (PlanningOptions, PolicyOption, JsonLine, KafkaClientOption,
    // ConfigurationOption); the fields left of the same shape are per-command declarations, not repeated logic.

    @Mixin
    PlanningOptions options;

    @Bounds(min = 0, minExclusive = true)
    @Option(names = "--demand", required = true, description = "Requests per second at the graph's root.")
    double demand;

    @Mixin
    PolicyOption policy;

    @Mixin
    AdaptOption adapt;

    @Option(names = "--out", description = "Write the plan (JSON, the job's plan format) to this file.")
    Path out;

    @Mixin
    JsonLine json;

    @Override
    public Integer call() throws Exception {
        Graph graph = options.loadGraph();
        Profile profile = options.loadProfile(graph);
        PlanningInstance instance = options.instance(graph, profile, demand, policy.policy());
        SolvedPlan solved = new PlanSolver(options.solverSettings()).solve(instance);
        PlanAdapter adapter = adapt.adapter(graph);
        io.jigsaw.core.plan.Plan plan = solved.feasible() ? adapter.adapt(solved.toPlan(1, "jigsaw plan --policy " + policy.name), solved) : null;
        ExpectedMix.Expected expected = plan != null && adapt.mode() != AdaptationMode.NONE ? ExpectedMix.of(solved, adapter) : null;
        if (out != null && plan != null) {
            PlanFile.write(plan, out);
            System.err.println("wrote " + out);
        }
        if (json.on) {
            Map<String, Object> summary = summary(solved);
            if (plan != null) {
                summary.put("adapt", adapt.mode().cliName);
                summary.put("note", plan.note());
            }
            if (expected != null) {
                summary.put("expected_accuracy_simulated", expected.accuracy());
                summary.put("expected_slo_attainment_simulated", expected.sloAttainment());
            }
            json.print(summary);
        } else {
            print(solved, System.out);
            if (expected != null) {
                System.out.println("adaptation " + adapt.mode().cliName + ": " + plan.note().substring(plan.note().indexOf(';') + 1).trim());
                System.out.println("adaptation " + adapt.mode().cliName + " " + expected.describe());
            }
        }
        return solved.feasible() ? 0 : 1;
    }

    static void print(SolvedPlan s, PrintStream o) {
        Evaluation e = s.evaluation();
        PlanningInstance in = s.instance();
        o.printf(Locale.ROOT, "%s: policy %s, %.2f req/s on %d GPU(s), device %s, latency SLO %.0f ms, accuracy SLO %s, traffic split %s: %s%n",
                in.graph().name(), in.policy().cliName(), in.demandRps(), in.gpus(), in.profile().device(), in.graph().latencySloMs(),
                in.graph().accuracySloText(), in.splits() ? "on" : "off", s.feasible() ? "FEASIBLE" : "NO FEASIBLE PLAN FOUND");
        o.println("accuracy: " + new PlanEvaluator(in).accuracyModel());
        o.printf(Locale.ROOT, "%-22s %-18s %5s %6s %8s %10s %9s %9s %9s  %s%n", "task", "variant", "batch", "share", "replicas",
                "rate/s", "batch ms", "fill ms", "bound ms", "profile row");
        for (TaskLoad l : e.tasks()) {
            row(o, l.task(), l);
            if (l.spill() != null) {
                // The split's second group: its own variant, replicas and share of the task's pieces.
                row(o, String.format(Locale.ROOT, "  + split (%.0f %%)", 100 * l.spillFraction()), l.spill());
            }
        }
        List<List<String>> paths = in.graph().paths();
        for (int p = 0; p < paths.size(); p++) {
            o.printf(Locale.ROOT, "path %s: %.1f ms (limit %.1f ms)%n", String.join(" -> ", paths.get(p)), e.pathLatencyMs()[p],
                    e.latencyLimitMs());
        }
        o.printf(Locale.ROOT, "accuracy %.4f (SLO floor %.4f); GPU share %.0f %% on %d of %d GPU(s); solved by %s in %d ms%n",
                e.accuracy(), e.accuracyFloor(), e.totalShare(), e.gpusUsed(), in.gpus(), s.solver(), s.time().toMillis());
        o.println("profile: " + in.profile().describe());
        if (e.packing().migLayouts() != null) {
            // Each GPU's MIG slices, as nvidia-smi mig would create them (a valid A100 layout by construction).
            MigGeometry.Layout[] layouts = e.packing().migLayouts();
            for (int g = 0; g < layouts.length; g++) {
                if (layouts[g].sevenths() > 0) {
                    o.printf(Locale.ROOT, "GPU %d MIG layout: %s%n", g, layouts[g]);
                }
            }
        }
        if (e.usesDerivedRows()) {
            o.println("note: this plan rests on DERIVED partition rows (whole-GPU profile scaled by the partition model)");
        }
        e.problems().forEach(p -> o.println("problem: " + p));
    }

    private static void row(PrintStream o, String label, TaskLoad l) {
        TaskOption t = l.option();
        int slice = MigGeometry.sizeOf(t.share() * t.processes());
        String sharing = t.processes() == 1 ? "" : String.format(Locale.ROOT, " (%d processes per %s slice)", t.processes(),
                slice > 0 ? MigGeometry.profileName(slice) : String.format(Locale.ROOT, "%.0f%%", t.share() * t.processes()));
        o.printf(Locale.ROOT, "%-22s %-18s %5d %5.0f%% %8d %10.2f %9.2f %9.2f %9.2f  %s%s%n", label, t.variant(),
                t.batch(), t.share(), l.replicas(), l.rateRps(), l.batchMs(), l.fillMs(), l.latencyMs(),
                t.share() == 0 ? "-" : l.derived() ? "derived" : "measured", sharing);
    }

    static Map<String, Object> summary(SolvedPlan s) {
        Evaluation e = s.evaluation();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("graph", s.instance().graph().name());
        m.put("policy", s.instance().policy().cliName());
        m.put("demand_rps", s.instance().demandRps());
        m.put("gpus", s.instance().gpus());
        m.put("latency_slo_ms", s.instance().graph().latencySloMs());
        m.put("accuracy_slo", s.instance().graph().accuracySlo());
        m.put("accuracy_slo_end_to_end", s.instance().graph().accuracySloAbsolute());
        m.put("accuracy_model", new PlanEvaluator(s.instance()).accuracyModel());
        m.put("traffic_split", s.instance().splits());
        m.put("feasible", s.feasible());
        m.put("gpu_share_percent", e.totalShare());
        m.put("gpus_used", e.gpusUsed());
        m.put("accuracy", e.accuracy());
        m.put("accuracy_floor", e.accuracyFloor());
        m.put("uses_derived_rows", e.usesDerivedRows());
        m.put("profile", s.instance().profile().describe());
        if (e.packing().migLayouts() != null) {
            m.put("mig_layouts", java.util.Arrays.stream(e.packing().migLayouts()).map(MigGeometry.Layout::toString).toList());
        }
        m.put("solve_ms", s.time().toMillis());
        List<Map<String, Object>> tasks = new ArrayList<>();
        for (TaskLoad l : e.tasks()) {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("task", l.task());
            t.put("variant", l.option().variant());
            t.put("batch", l.option().batch());
            t.put("share", l.option().share());
            t.put("replicas", l.replicas());
            t.put("rate_rps", l.rateRps());
            t.put("latency_bound_ms", l.latencyMs());
            t.put("row", l.option().share() == 0 ? "none" : l.derived() ? "derived" : "measured");
            t.put("processes_per_slice", l.option().processes());
            if (l.spill() != null) {
                TaskLoad sp = l.spill();
                t.put("split", Map.of("variant", sp.option().variant(), "batch", sp.option().batch(), "share", sp.option().share(),
                        "replicas", sp.replicas(), "rate_rps", sp.rateRps(), "latency_bound_ms", sp.latencyMs(),
                        "traffic_fraction", l.spillFraction()));
            }
            tasks.add(t);
        }
        m.put("tasks", tasks);
        m.put("problems", e.problems());
        return m;
    }
}
