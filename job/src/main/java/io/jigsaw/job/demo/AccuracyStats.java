package io.jigsaw.job.demo;

import io.jigsaw.schemas.Result;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Planned against measured accuracy over the demo's answered requests that carried their truth:
 * overall, and per plan version (a plan's promise checked against what its requests got), with
 * each task's mean raw score.
 */
final class AccuracyStats {

    private static final class Sums {
        long n;
        double planned;
        double measured;
    }

    private final Sums all = new Sums();
    private final Map<Long, Sums> perPlan = new TreeMap<>();
    private final Map<String, double[]> taskScores = new TreeMap<>();

    synchronized void add(Result r) {
        if (r.getDropped() || r.getAccuracyMeasured() == null) {
            return;
        }
        for (Sums s : new Sums[] {all, perPlan.computeIfAbsent(r.getPlanVersion(), v -> new Sums())}) {
            s.n++;
            s.planned += r.getAccuracy();
            s.measured += r.getAccuracyMeasured();
        }
        r.getTaskScores().forEach((task, score) -> {
            double[] t = taskScores.computeIfAbsent(task, k -> new double[2]);
            t[0] += score;
            t[1]++;
        });
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

    /** Plan version → requests scored, mean planned, mean measured, |measured − planned|. */
    synchronized Map<String, Object> perPlan() {
        Map<String, Object> out = new LinkedHashMap<>();
        perPlan.forEach((version, s) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("scored", s.n);
            m.put("accuracy_planned", round(s.planned / s.n));
            m.put("accuracy_measured", round(s.measured / s.n));
            m.put("abs_difference", round(Math.abs(s.measured - s.planned) / s.n));
            out.put("v" + version, m);
        });
        return out;
    }

    /** Task → its mean raw score (F1, top-1, within tolerance) over the scored requests. */
    synchronized Map<String, Object> taskScores() {
        Map<String, Object> out = new LinkedHashMap<>();
        taskScores.forEach((task, t) -> out.put(task, round(t[0] / t[1])));
        return out;
    }

    static double round(double x) {
        return Math.round(x * 10_000) / 10_000.0;
    }
}
