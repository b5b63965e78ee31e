package io.jigsaw.planner.solver;

import io.jigsaw.core.graph.Variant;
import io.jigsaw.planner.model.PlanEvaluator;
import io.jigsaw.planner.model.Spill;
import io.jigsaw.planner.model.TaskLoad;
import io.jigsaw.planner.model.TaskOption;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The options worth a local-search move: for each task, the ones on the latency-vs-share Pareto front
 * of some variant at some rate the task can see (its rate depends on the variants above it, so we
 * sample its range). A Loki profile gives 64 batches × 10 shares per variant; the front keeps a few
 * dozen, so random moves land on sensible values. The exact reference does not use this shortlist,
 * so whatever it costs shows up in the measured optimality gap.
 */
final class OptionShortlist {

    private static final int RATE_SAMPLES = 8;

    private OptionShortlist() {
    }

    static List<List<TaskOption>> of(PlanEvaluator evaluator) {
        double[][] rates = evaluator.rateBounds();
        List<List<TaskOption>> out = new ArrayList<>();
        for (int t = 0; t < rates[0].length; t++) {
            out.add(shortlist(evaluator, t, rates[0][t], rates[1][t]));
        }
        return out;
    }

    /** Per task, the traffic splits worth a move: {@link PlanEvaluator#spills} over its shortlist at the highest rate it can see. */
    static List<List<Spill>> spills(PlanEvaluator evaluator, List<List<TaskOption>> shortlist) {
        double[][] rates = evaluator.rateBounds();
        List<List<Spill>> out = new ArrayList<>();
        for (int t = 0; t < shortlist.size(); t++) {
            out.add(List.copyOf(evaluator.spills(t, shortlist.get(t), rates[1][t])));
        }
        return out;
    }

    private static List<TaskOption> shortlist(PlanEvaluator evaluator, int t, double low, double high) {
        List<TaskOption> all = evaluator.options(t);
        if (all.size() <= 1) {
            return all;
        }
        Set<TaskOption> keep = new LinkedHashSet<>();
        for (int k = 0; k < RATE_SAMPLES; k++) {
            double rate = low <= 0 || high <= low ? (k == 0 ? low : high)
                    : low * Math.pow(high / low, k / (double) (RATE_SAMPLES - 1));
            for (Variant v : evaluator.instance().profiled(evaluator.instance().tasks().get(t))) {
                List<TaskLoad> loads = new ArrayList<>();
                for (TaskOption o : all) {
                    if (o.variant().equals(v.name())) {
                        loads.add(evaluator.load(t, o, rate));
                    }
                }
                loads.sort(Comparator.comparingDouble(TaskLoad::latencyMs).thenComparingDouble(TaskLoad::totalShare)
                        .thenComparingDouble(l -> l.option().share()));
                double cheapest = Double.POSITIVE_INFINITY;
                for (TaskLoad l : loads) {
                    if (l.totalShare() < cheapest) {
                        keep.add(l.option());
                        cheapest = l.totalShare();
                    }
                }
            }
        }
        return List.copyOf(keep);
    }
}
