package io.jigsaw.planner.model;

import java.util.Arrays;
import java.util.Locale;

/**
 * One planning model with features switched off (DESIGN.md). Every policy is solved by the same
 * solver on the same profiles; only these switches differ.
 *
 * <p>{@code loki} follows the published system (HPDC'24, public artifact UMass-LIDS/Loki,
 * {@code src/simulator/algorithms/pipeline_ilp.py}): whole-GPU workers, one batch size per worker
 * from {1, 2, 4, …, 64}, accuracy scaling, a path's summed batch latencies at most half the SLO (its
 * queueing allowance), worker throughput = batch / batch latency, and its objective — the most
 * accurate plan that fits the GPUs, then the fewest GPUs (its "hardware scaling first, accuracy
 * scaling when the cluster is full"). Where we differ: Loki may split one task's traffic over several
 * variants; here each task runs one variant, as in every other policy.
 */
public enum Policy {
    JIGSAW(true, true, LatencyRule.GRAPH_BUDGETS, Objective.LEAST_SHARE_THEN_ACCURACY),
    NO_ACCURACY_SCALING(false, true, LatencyRule.GRAPH_BUDGETS, Objective.LEAST_SHARE_THEN_ACCURACY),
    NO_PARTITIONING(true, false, LatencyRule.GRAPH_BUDGETS, Objective.LEAST_SHARE_THEN_ACCURACY),
    EVEN_BUDGET(true, true, LatencyRule.EVEN_BUDGETS, Objective.LEAST_SHARE_THEN_ACCURACY),
    LOKI(true, false, LatencyRule.HALF_SLO_EXECUTION, Objective.ACCURACY_THEN_LEAST_SHARE);

    /** How a task's latency is bounded and checked against the graph's SLO. */
    public enum LatencyRule {
        /** Each task's bound (batch fill + one batch ahead + its own batch) summed along every path ≤ SLO. */
        GRAPH_BUDGETS,
        /** The same bound, but each task must fit SLO / (tasks on its longest path): no budget moves between tasks. */
        EVEN_BUDGETS,
        /** Loki: batch execution times summed along every path ≤ SLO / 2. */
        HALF_SLO_EXECUTION
    }

    public enum Objective { LEAST_SHARE_THEN_ACCURACY, ACCURACY_THEN_LEAST_SHARE }

    private final boolean accuracyScaling;
    private final boolean partitioning;
    private final LatencyRule latencyRule;
    private final Objective objective;

    Policy(boolean accuracyScaling, boolean partitioning, LatencyRule latencyRule, Objective objective) {
        this.accuracyScaling = accuracyScaling;
        this.partitioning = partitioning;
        this.latencyRule = latencyRule;
        this.objective = objective;
    }

    public boolean accuracyScaling() {
        return accuracyScaling;
    }

    public boolean partitioning() {
        return partitioning;
    }

    public LatencyRule latencyRule() {
        return latencyRule;
    }

    public Objective objective() {
        return objective;
    }

    /** Loki's allowed batch sizes; other policies use every profiled batch size. */
    public boolean powersOfTwoBatches() {
        return this == LOKI;
    }

    /** The CLI name: {@code no-accuracy-scaling}. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Policy fromCli(String name) {
        return Arrays.stream(values()).filter(p -> p.cliName().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown policy '" + name + "'; expected one of "
                        + Arrays.stream(values()).map(Policy::cliName).toList()));
    }
}
