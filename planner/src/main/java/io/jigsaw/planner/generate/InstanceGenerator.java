package io.jigsaw.planner.generate;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.Task;
import io.jigsaw.core.graph.Variant;
import io.jigsaw.planner.model.PlanningInstance;
import io.jigsaw.planner.model.Policy;
import io.jigsaw.planner.profile.PartitionModel;
import io.jigsaw.planner.profile.Profile;
import io.jigsaw.planner.profile.ProfileRow;
import io.jigsaw.planner.profile.ShareGrid;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Random planning instances for the solver benchmark and the solver-vs-exact tests: a tree-shaped
 * graph with some joins, variants whose cost grows with their accuracy, fan-outs per variant, and
 * whole-GPU batch curves of the shape real profiles have (a fixed cost plus a per-item cost that
 * saturates), partition rows derived as for Loki's profiles. Synthetic: never reported as measured.
 */
public final class InstanceGenerator {

    public static final String DEVICE = "synthetic-gpu";
    private static final int[] BATCHES = {1, 2, 4, 8, 16, 32};

    /** What to generate. */
    public record Shape(int tasks, int variants, int shareStepPercent, int gpus, double demandRps) {

        /**
         * The small shapes the optimality-gap benchmark proves against the exhaustive search: 3–5 tasks,
         * 3–4 variants, 20 % share steps, 4 GPUs, demand 30..140 req/s in steps of 10, all by seed.
         */
        public static Shape small(long seed) {
            return new Shape(3 + (int) (seed % 3), 3 + (int) (seed % 2), 20, 4, 20 + 10 * (1 + (seed - 1) % 12));
        }
    }

    private InstanceGenerator() {
    }

    public static PlanningInstance generate(Shape shape, long seed, Policy policy) {
        Random random = new Random(seed);
        List<Task> tasks = new ArrayList<>();
        List<ProfileRow> rows = new ArrayList<>();
        Map<String, List<String>> children = new HashMap<>();
        List<List<String>> after = new ArrayList<>();
        for (int t = 0; t < shape.tasks(); t++) {
            List<String> parents = new ArrayList<>();
            if (t > 0) {
                parents.add("t" + random.nextInt(t));
                // Now and then a join: a second parent, so graphs are DAGs, not only trees.
                if (t > 2 && random.nextDouble() < 0.15) {
                    String second = "t" + random.nextInt(t);
                    if (!parents.contains(second)) {
                        parents.add(second);
                    }
                }
            }
            after.add(parents);
            for (String p : parents) {
                children.computeIfAbsent(p, k -> new ArrayList<>()).add("t" + t);
            }
        }
        for (int t = 0; t < shape.tasks(); t++) {
            String name = "t" + t;
            double base = 2 + random.nextDouble() * 8;
            List<Variant> variants = new ArrayList<>();
            for (int v = 0; v < shape.variants(); v++) {
                String vn = name + "-v" + v;
                double accuracy = v == shape.variants() - 1 ? 1.0 : 0.7 + 0.3 * (v + 1) / shape.variants() - random.nextDouble() * 0.02;
                Map<String, Double> fanout = new HashMap<>();
                for (String c : children.getOrDefault(name, List.of())) {
                    fanout.put(c, 0.3 + random.nextDouble());
                }
                variants.add(new Variant(vn, accuracy, null, fanout, null, false));
                double fixed = base * (1 + v) * (0.8 + random.nextDouble() * 0.4);
                double perItem = fixed * (0.15 + random.nextDouble() * 0.25);
                for (int b : BATCHES) {
                    double p50 = fixed + perItem * (b - 1);
                    rows.add(new ProfileRow(vn, DEVICE, 100, b, p50, p50 * 1.1, ProfileRow.Source.MEASURED));
                }
            }
            tasks.add(new Task(name, after.get(t), variants));
        }
        double slo = 60.0 * depth(after) + 60;
        Graph graph = new Graph("generated-" + seed, slo, 0.85, null, tasks, null, List.of());
        ShareGrid grid = ShareGrid.mps(shape.shareStepPercent());
        Profile profile = new Profile(DEVICE, PartitionModel.complete(rows, grid), List.of());
        return PlanningInstance.of(graph, profile, shape.demandRps(), shape.gpus(), grid, policy);
    }

    private static int depth(List<List<String>> after) {
        int[] d = new int[after.size()];
        int max = 0;
        for (int t = 0; t < after.size(); t++) {
            d[t] = 1;
            for (String p : after.get(t)) {
                d[t] = Math.max(d[t], d[Integer.parseInt(p.substring(1))] + 1);
            }
            max = Math.max(max, d[t]);
        }
        return max;
    }
}
