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
 * scaling when the cluster is full"), and its traffic split across variants. Its capacity is solved as Loki
 * solves it, routing per variant path ({@link io.jigsaw.planner.exact.PathRoutingIlp}); a plan the job serves
 * (plan, simulate, the sidecar) is this model's per-task split ({@link Spill}), which the job can route.
 * {@code loki} plans with our tail latency and utilisation
 * cap, as every other policy does, so that the comparison is of mechanisms; {@code loki-published}
 * keeps Loki's own settings (median batch latency, no utilisation cap), to show the published system's
 * own figures beside it; {@code loki-literal} adds what its artifact does by name ({@link LokiArtifact}).
 */
public enum Policy {
    JIGSAW(true, true, LatencyRule.GRAPH_BUDGETS, Objective.LEAST_SHARE_THEN_ACCURACY, true),
    NO_ACCURACY_SCALING(false, true, LatencyRule.GRAPH_BUDGETS, Objective.LEAST_SHARE_THEN_ACCURACY, true),
    NO_PARTITIONING(true, false, LatencyRule.GRAPH_BUDGETS, Objective.LEAST_SHARE_THEN_ACCURACY, true),
    EVEN_BUDGET(true, true, LatencyRule.EVEN_BUDGETS, Objective.LEAST_SHARE_THEN_ACCURACY, true),
    LOKI(true, false, LatencyRule.HALF_SLO_EXECUTION, Objective.ACCURACY_THEN_LEAST_SHARE, true),
    LOKI_PUBLISHED(true, false, LatencyRule.HALF_SLO_EXECUTION, Objective.ACCURACY_THEN_LEAST_SHARE, false),
    /** Loki's own settings and what its artifact does by name ({@link LokiArtifact}): variants dropped, a branch served outside its ILP. */
    LOKI_LITERAL(true, false, LatencyRule.HALF_SLO_EXECUTION, Objective.ACCURACY_THEN_LEAST_SHARE, false);

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
    private final boolean ourSettings;

    Policy(boolean accuracyScaling, boolean partitioning, LatencyRule latencyRule, Objective objective, boolean ourSettings) {
        this.accuracyScaling = accuracyScaling;
        this.partitioning = partitioning;
        this.latencyRule = latencyRule;
        this.objective = objective;
        this.ourSettings = ourSettings;
    }

    /** Whether replicas are planned below the instance's utilisation cap (every policy but Loki's own settings). */
    public boolean utilisationCap() {
        return ourSettings;
    }

    /** Whether a batch's latency is its tail (p99, or Loki's p95) rather than its median (Loki's own settings). */
    public boolean tailLatency() {
        return ourSettings;
    }

    /** Whether the policy also does what Loki's artifact does by name ({@link LokiArtifact}). */
    public boolean literal() {
        return this == LOKI_LITERAL;
    }

    /** Loki's mechanisms, with either settings. */
    public boolean loki() {
        return latencyRule == LatencyRule.HALF_SLO_EXECUTION;
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
        return loki();
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
