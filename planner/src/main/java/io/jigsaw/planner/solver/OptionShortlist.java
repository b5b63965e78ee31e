package io.jigsaw.planner.solver;

import io.jigsaw.core.graph.Variant;
import io.jigsaw.planner.model.PlanEvaluator;
import io.jigsaw.planner.model.PlanningInstance;
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

    /** A split's second group stays below this many replicas, so a task's split values stay a few thousand at most. */
    static final int MAX_SPILL_REPLICAS = 64;

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

    /**
     * Per task, the traffic splits worth a move ({@link Spill}): every shortlisted option with 1, 2, … replicas,
     * up to the fewest that would take the task's highest rate alone (more is no split) and what the GPUs
     * hold; {@link Spill#NONE} first. Only NONE where the instance does not split.
     */
    static List<List<Spill>> spills(PlanEvaluator evaluator, List<List<TaskOption>> shortlist) {
        double[][] rates = evaluator.rateBounds();
        PlanningInstance instance = evaluator.instance();
        List<List<Spill>> out = new ArrayList<>();
        for (int t = 0; t < shortlist.size(); t++) {
            List<Spill> spills = new ArrayList<>();
            spills.add(Spill.NONE);
            if (instance.splits() && !instance.tasks().get(t).pseudo() && instance.profiled(instance.tasks().get(t)).size() > 1) {
                for (TaskOption o : shortlist.get(t)) {
                    double perReplica = instance.utilisation() * instance.row(o).throughputPerSecond();
                    int most = (int) Math.min(instance.gpus() * Math.floor(100 / o.share() + 1e-9),
                            Math.ceil(rates[1][t] / perReplica) - 1);
                    for (int k = 1; k <= Math.min(most, MAX_SPILL_REPLICAS); k++) {
                        spills.add(new Spill(o, k));
                    }
                }
            }
            out.add(List.copyOf(spills));
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
