package io.jigsaw.planner.solver;

import io.jigsaw.core.graph.Variant;
import io.jigsaw.planner.model.PlanEvaluator;
import io.jigsaw.planner.model.Spill;
import io.jigsaw.planner.model.TaskLoad;
import io.jigsaw.planner.model.TaskOption;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The options worth a local-search move: for each task, the ones on the latency-vs-share Pareto front
 * of some variant at some rate the task can see (its rate depends on the variants above it, so we
 * sample its range). A Loki profile gives 64 batches × 10 shares per variant; the front keeps a few
 * dozen, so random moves land on sensible values. The exact reference does not use this shortlist,
 * so whatever it costs shows up in the measured optimality gap.
 */
final class OptionShortlist {

    private static final int RATE_SAMPLES = 12;

    private OptionShortlist() {
    }

    static List<List<TaskOption>> of(PlanEvaluator evaluator) {
        double[][] rates = evaluator.rateBounds();
        List<List<TaskOption>> out = new ArrayList<>();
        for (int t = 0; t < rates[0].length; t++) {
            // With a split, the main group serves what the spill leaves: any part of the task's rate.
            double low = evaluator.instance().splits() ? Math.min(rates[0][t], rates[1][t] / PlanEvaluator.MAX_SPILL_REPLICAS) : rates[0][t];
            out.add(shortlist(evaluator, t, low, rates[1][t]));
        }
        return out;
    }

    /**
     * Per task, the traffic splits worth a move: {@link PlanEvaluator#spills} at the highest rate it can see,
     * over the options worth running full ({@link #fullLoadFront}).
     */
    static List<List<Spill>> spills(PlanEvaluator evaluator) {
        double[][] rates = evaluator.rateBounds();
        List<List<Spill>> out = new ArrayList<>();
        for (int t = 0; t < rates[1].length; t++) {
            out.add(List.copyOf(evaluator.spills(t, fullLoadFront(evaluator, t), rates[1][t])));
        }
        return out;
    }

    /**
     * A split's second group runs its replicas full, whatever the task's rate: its batch fill, bound and share per
     * piece are the option's own. So the options worth a spill are, per variant, those that no other option beats on
     * bound, share per piece served and share per replica (a spill of one or two replicas is as fine-grained as its
     * share: at Loki's app's capacity the classifier's best second group is one replica at 20 %, though a 30 %
     * replica serves a piece for less). An option that is never the cheapest way to serve a task's whole rate (the
     * shortlist's test) can be the cheapest way to serve a few replicas' worth of it.
     */
    static List<TaskOption> fullLoadFront(PlanEvaluator evaluator, int t) {
        if (evaluator.instance().tasks().get(t).pseudo()) {
            return List.of();
        }
        List<TaskLoad> loads = new ArrayList<>();
        for (TaskOption o : evaluator.options(t)) {
            loads.add(evaluator.load(t, o, fullReplicaRate(evaluator, o)));
        }
        // Compared within each variant only (across all options, every pair was a seventh of a second per solve on Loki's app).
        Map<String, List<TaskLoad>> byVariant = new HashMap<>();
        loads.forEach(l -> byVariant.computeIfAbsent(l.option().variant(), v -> new ArrayList<>()).add(l));
        List<TaskOption> keep = new ArrayList<>();
        for (TaskLoad l : loads) {
            if (byVariant.get(l.option().variant()).stream().noneMatch(m -> beats(m, l))) {
                keep.add(l.option());
            }
        }
        return List.copyOf(keep);
    }

    /** No worse on bound, share per piece and share per replica, and better on one (exact ties both stay). */
    private static boolean beats(TaskLoad m, TaskLoad l) {
        boolean noWorse = m.latencyMs() <= l.latencyMs() + 1e-12 && sharePerPiece(m) <= sharePerPiece(l) + 1e-12
                && m.option().share() <= l.option().share() + 1e-12;
        boolean better = m.latencyMs() < l.latencyMs() - 1e-12 || sharePerPiece(m) < sharePerPiece(l) - 1e-12
                || m.option().share() < l.option().share() - 1e-12;
        return noWorse && better;
    }

    private static double fullReplicaRate(PlanEvaluator evaluator, TaskOption o) {
        return evaluator.instance().utilisation() * evaluator.instance().row(o).throughputPerSecond();
    }

    private static double sharePerPiece(TaskLoad l) {
        return l.option().share() / l.rateRps();
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
