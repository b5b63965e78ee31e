package io.jigsaw.bench;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.GraphLoader;
import io.jigsaw.planner.capacity.PolicyCapacity;
import io.jigsaw.planner.model.PlanningInstance;
import io.jigsaw.planner.model.Policy;
import io.jigsaw.planner.profile.Profile;
import io.jigsaw.planner.profile.ProfileLoader;
import io.jigsaw.planner.profile.ShareGrid;
import io.jigsaw.planner.solver.SolverSettings;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * How far each policy's capacity is from its model's optimum, on real instances: every policy × latency SLO ×
 * GPU count of Loki's apps, with the figure `bin/jigsaw capacity` prints (the heuristic's search, or Loki's
 * ILP), the best upper bound proven (Loki's ILP itself; for the others the per-path relaxation of the planner's
 * model, within its time limit), the gap between them and the time both took. Prints a table and writes it as
 * CSV.
 *
 * <p>Run: {@code ./mvnw -q -B install -DskipTests && ./mvnw -q -B -pl bench exec:exec@gap}
 */
public final class GapBench {

    private static final double[] SLOS_MS = {60, 100, 150, 250, 500};
    private static final int[] GPUS = {8, 64};

    private GapBench() {
    }

    /** Args: the CSV to write, then one or more Loki app files; -Dgap.bound (each bound's time, e.g. PT30S), -Dgap.slos (ms, e.g. 60,250), -Dgap.gpus (e.g. 8,64). */
    public static void main(String[] args) throws IOException {
        Path out = Path.of(args[0]);
        Duration bound = Duration.parse(System.getProperty("gap.bound", "PT30S"));
        double[] slos = doubles(System.getProperty("gap.slos"), SLOS_MS);
        int[] gpus = java.util.Arrays.stream(doubles(System.getProperty("gap.gpus"), java.util.Arrays.stream(GPUS).asDoubleStream().toArray()))
                .mapToInt(d -> (int) d).toArray();
        Files.createDirectories(out.toAbsolutePath().getParent());
        PolicyCapacity capacity = new PolicyCapacity(SolverSettings.defaults(), 0.01, Duration.ofMinutes(2), bound);
        System.out.printf(Locale.ROOT, "== capacity vs the best proven bound (accuracy SLO 0.9; heuristic: PT5S per probe, bisection to 1 %%; "
                + "bound: Loki's ILP for Loki's policies, the per-path relaxation for the others, at most %s each)%n", bound);
        System.out.printf(Locale.ROOT, "%-18s %5s %7s %-20s %10s %10s %7s %8s  %s%n", "app", "gpus", "slo ms", "policy", "found", "bound", "gap",
                "time s", "method");
        try (PrintWriter csv = new PrintWriter(Files.newBufferedWriter(out))) {
            csv.println("app,gpus,latency_slo_ms,policy,found_rps,bound_rps,gap,time_s,method");
            for (int a = 1; a < args.length; a++) {
                Path file = Path.of(args[a]);
                Graph base = GraphLoader.load(file).withAccuracySlo(0.9);
                Profile profile = ProfileLoader.load(base, file, List.of(), null, ShareGrid.mps(10));
                for (int g : gpus) {
                    for (double slo : slos) {
                        Graph graph = base.withLatencySlo(slo);
                        for (Policy p : Policy.values()) {
                            PlanningInstance template = new PlanningInstance(graph, profile, 1, g, ShareGrid.mps(10), p,
                                    PlanningInstance.DEFAULT_MAX_UTILISATION, PlanningInstance.AccuracyRule.TRAFFIC_WEIGHTED_MEAN);
                            PolicyCapacity.Figure f = capacity.find(template, probe -> { });
                            System.out.printf(Locale.ROOT, "%-18s %5d %7.0f %-20s %10.1f %10s %7s %8.1f  %s%n", graph.name(), g, slo, p.cliName(),
                                    f.capacityRps(), Double.isNaN(f.boundRps()) ? "n/a" : String.format(Locale.ROOT, "%.1f", f.boundRps()),
                                    f.gapLabel(), f.time().toMillis() / 1000.0, f.method());
                            csv.printf(Locale.ROOT, "%s,%d,%.0f,%s,%.2f,%s,%s,%.1f,\"%s\"%n", graph.name(), g, slo, p.cliName(), f.capacityRps(),
                                    Double.isNaN(f.boundRps()) ? "" : String.format(Locale.ROOT, "%.2f", f.boundRps()),
                                    Double.isNaN(f.gap()) ? "" : String.format(Locale.ROOT, "%.4f", f.gap()), f.time().toMillis() / 1000.0,
                                    f.method());
                            csv.flush();
                        }
                    }
                }
            }
        }
        System.out.println("wrote " + out.toAbsolutePath());
    }

    private static double[] doubles(String list, double[] otherwise) {
        return list == null ? otherwise : java.util.Arrays.stream(list.split(",")).mapToDouble(Double::parseDouble).toArray();
    }
}
