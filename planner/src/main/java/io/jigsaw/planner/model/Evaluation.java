package io.jigsaw.planner.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A plan's figures under one {@link PlanningInstance}: each violation as an amount (0 when the rule
 * holds), so a solver can tell a nearly-feasible plan from a hopeless one.
 *
 * @param pathLatencyMs per root-to-leaf path (in {@code Graph.paths()} order), the sum of its tasks' bounds
 * @param latencyLimitMs what every path must stay within under the policy's rule
 * @param latencyExcessMs summed over paths, how far each is over the limit
 * @param budgetExcessMs for even budgets, summed over tasks, how far each is over its equal share
 * @param accuracyFloor the accuracy SLO as an absolute figure (fraction × the best achievable)
 * @param overflowShare percent of GPU that the packing could not place
 * @param objective how the policy ranks feasible plans
 */
public record Evaluation(Policy.Objective objective, List<TaskLoad> tasks, double[] pathLatencyMs, double latencyLimitMs, double latencyExcessMs,
        double budgetExcessMs, double accuracy, double accuracyFloor, double totalShare, double overflowShare,
        GpuPacker.Packing packing) {

    public double accuracyShortfall() {
        return Math.max(0, accuracyFloor - accuracy);
    }

    public boolean feasible() {
        return latencyExcessMs <= 0 && budgetExcessMs <= 0 && accuracyShortfall() <= 1e-12 && overflowShare <= 0;
    }

    /** GPUs any share was placed on. */
    public int gpusUsed() {
        int used = 0;
        for (double load : packing.gpuLoad()) {
            used += load > 0 ? 1 : 0;
        }
        return used;
    }

    public boolean usesDerivedRows() {
        return tasks.stream().anyMatch(TaskLoad::usesDerived);
    }

    /** Why the plan is not feasible, one line per broken rule, for people. */
    public List<String> problems() {
        List<String> out = new ArrayList<>();
        if (latencyExcessMs > 0) {
            out.add(String.format(Locale.ROOT, "latency SLO: paths exceed %.1f ms by %.1f ms in total", latencyLimitMs, latencyExcessMs));
        }
        if (budgetExcessMs > 0) {
            out.add(String.format(Locale.ROOT, "even budgets: tasks exceed their equal share of the SLO by %.1f ms in total", budgetExcessMs));
        }
        if (accuracyShortfall() > 1e-12) {
            out.add(String.format(Locale.ROOT, "accuracy SLO: %.4f < %.4f", accuracy, accuracyFloor));
        }
        if (overflowShare > 0) {
            out.add(String.format(Locale.ROOT, "GPUs: %.1f %% of GPU share does not fit", overflowShare));
        }
        return out;
    }
}
