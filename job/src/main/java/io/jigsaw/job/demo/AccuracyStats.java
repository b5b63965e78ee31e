package io.jigsaw.job.demo;

import io.jigsaw.core.graph.Combinations;
import io.jigsaw.job.report.DemoSummary;
import io.jigsaw.operators.Scorer;
import io.jigsaw.schemas.Result;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Planned against measured accuracy over the demo's answered requests that carried their truth:
 * overall, and per plan version (a plan's promise checked against what its requests got), with
 * each task's mean raw score. It also tests the planner's accuracy model, which multiplies the
 * tasks' accuracies along each path as if their errors were independent: the same product taken
 * over the tasks' mean measured scores ({@code accuracy_from_task_means}) is what the measured
 * accuracy would be if they were; the gap between the two is the errors' correlation along the
 * paths, the gap between it and the plan is the tasks' own accuracy differing live from offline.
 */
final class AccuracyStats {

    private static final class Sums {
        long n;
        double planned;
        double measured;
        final Map<String, double[]> tasks = new TreeMap<>();
        /** Task → {requests, sum of the combination's offline mean score of the task}: planned per task. */
        final Map<String, double[]> plannedTasks = new TreeMap<>();
    }

    private final Scorer scorer;
    private final Combinations combinations;
    /** Task → the variant a result named last: for a task that ran nothing for a request (no object found). */
    private final Map<String, String> lastSeen = new java.util.HashMap<>();
    private final Sums all = new Sums();
    private final Map<Long, Sums> perPlan = new TreeMap<>();

    /** @param combinations the graph's measured combinations, or null: no planned score per task */
    AccuracyStats(Scorer scorer, Combinations combinations) {
        this.scorer = scorer;
        this.combinations = combinations;
        if (combinations != null) {
            lastSeen.putAll(combinations.bestCombination());
        }
    }

    synchronized void add(Result r) {
        if (r.getDropped() || r.getAccuracyMeasured() == null) {
            return;
        }
        double[] plannedScores = plannedTaskScores(r);
        for (Sums s : new Sums[] {all, perPlan.computeIfAbsent(r.getPlanVersion(), v -> new Sums())}) {
            s.n++;
            if (plannedScores != null) {
                for (int t = 0; t < plannedScores.length; t++) {
                    String task = combinations.tasks().get(t);
                    if (r.getTaskScores().containsKey(task) && !Double.isNaN(plannedScores[t])) {
                        double[] p = s.plannedTasks.computeIfAbsent(task, k -> new double[2]);
                        p[0]++;
                        p[1] += plannedScores[t];
                    }
                }
            }
            s.planned += r.getAccuracy();
            s.measured += r.getAccuracyMeasured();
            r.getTaskScores().forEach((task, score) -> {
                double[] t = s.tasks.computeIfAbsent(task, k -> new double[2]);
                t[0] += score;
                t[1]++;
            });
        }
    }

    /** The offline mean score of each task for the combination that served the request (per task its variant as the result names it). */
    private double[] plannedTaskScores(Result r) {
        if (combinations == null) {
            return null;
        }
        List<String> combination = new ArrayList<>();
        for (String task : combinations.tasks()) {
            String v = r.getVariants().get(task);
            if (v != null && combinations.variants().get(combinations.tasks().indexOf(task)).contains(v)) {
                lastSeen.put(task, v);
            }
            combination.add(lastSeen.get(task));
        }
        return combinations.taskScores()[combinations.index(combination)];
    }

    /** Task → its planned mean score in its metric (the served combinations' offline figures), over the requests it was scored on. */
    synchronized Map<String, Double> plannedTaskScores() {
        Map<String, Double> out = new LinkedHashMap<>();
        all.plannedTasks.forEach((task, p) -> out.put(task, round(p[1] / p[0])));
        return out;
    }

    synchronized long scored() {
        return all.n;
    }

    synchronized double planned() {
        return all.n == 0 ? Double.NaN : all.planned / all.n;
    }

    synchronized double measured() {
        return all.n == 0 ? Double.NaN : all.measured / all.n;
    }

    /** The path product over the tasks' mean scores: the measured accuracy if errors were independent along paths. */
    synchronized double fromTaskMeans() {
        return all.n == 0 ? Double.NaN : scorer.accuracy(means(all));
    }

    private static Map<String, Double> means(Sums s) {
        Map<String, Double> out = new TreeMap<>();
        s.tasks.forEach((task, t) -> out.put(task, t[0] / t[1]));
        return out;
    }

    /** Plan version → requests scored, mean planned, mean measured, |measured − planned|, the independent-errors product. */
    synchronized Map<String, DemoSummary.PlanAccuracy> perPlan() {
        Map<String, DemoSummary.PlanAccuracy> out = new LinkedHashMap<>();
        perPlan.forEach((version, s) -> out.put("v" + version, new DemoSummary.PlanAccuracy(s.n, round(s.planned / s.n),
                round(s.measured / s.n), round(Math.abs(s.measured - s.planned) / s.n), round(scorer.accuracy(means(s))))));
        return out;
    }

    /** Task → its mean raw score (F1, top-1, within tolerance) over the scored requests. */
    synchronized Map<String, Double> taskScores() {
        Map<String, Double> out = new LinkedHashMap<>();
        means(all).forEach((task, mean) -> out.put(task, round(mean)));
        return out;
    }

    static double round(double x) {
        return Math.round(x * 10_000) / 10_000.0;
    }
}
