package io.jigsaw.core.plan;

import java.util.List;

/**
 * What one task runs under a plan: its variant, batching, latency budget and replicas. A replica may
 * run another variant and batch size than the task's ({@link Partition}); the task's are those of the
 * replicas that name none. {@code adaptation} may let the replicas choose per batch and per piece
 * ({@link Adaptation}: a ladder, a cascade); {@link Adaptation#NONE}: the variant serves every piece.
 */
public record TaskPlan(String task, String variant, int batchSize, double batchTimeoutMs, double latencyBudgetMs,
        List<Partition> partitions, Adaptation adaptation) implements java.io.Serializable {

    public TaskPlan {
        partitions = List.copyOf(partitions);
        adaptation = adaptation == null ? Adaptation.NONE : adaptation;
    }

    /** A task plan without per-request adaptation. */
    public TaskPlan(String task, String variant, int batchSize, double batchTimeoutMs, double latencyBudgetMs, List<Partition> partitions) {
        this(task, variant, batchSize, batchTimeoutMs, latencyBudgetMs, partitions, Adaptation.NONE);
    }

    public TaskPlan withAdaptation(Adaptation a) {
        return new TaskPlan(task, variant, batchSize, batchTimeoutMs, latencyBudgetMs, partitions, a);
    }

    public int replicas() {
        return partitions.size();
    }

    /** The variant replica {@code i} runs (the task's for a replica the plan does not have). */
    public String variantOf(int replica) {
        return replica < partitions.size() && partitions.get(replica).variant() != null ? partitions.get(replica).variant() : variant;
    }

    public int batchSizeOf(int replica) {
        return replica < partitions.size() && partitions.get(replica).batchSize() > 0 ? partitions.get(replica).batchSize() : batchSize;
    }

    /** Whether some replica runs another variant than the task's: the traffic is split across variants. */
    public boolean split() {
        return partitions.stream().anyMatch(p -> p.variant() != null && !p.variant().equals(variant));
    }

    /**
     * Each replica's fraction of the task's traffic, summing to 1: the planned weights, or even when the
     * plan gives none.
     */
    public double[] routingWeights() {
        int n = partitions.size();
        double[] w = new double[Math.max(n, 1)];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            w[i] = Math.max(0, partitions.get(i).weight());
            sum += w[i];
        }
        for (int i = 0; i < w.length; i++) {
            w[i] = sum > 0 ? w[i] / sum : 1.0 / w.length;
        }
        return w;
    }
}
