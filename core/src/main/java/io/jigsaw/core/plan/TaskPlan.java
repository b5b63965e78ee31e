package io.jigsaw.core.plan;

import java.util.List;

/** What one task runs under a plan: its variant, batching, latency budget and replicas. */
public record TaskPlan(String task, String variant, int batchSize, double batchTimeoutMs, double latencyBudgetMs,
        List<Partition> partitions) implements java.io.Serializable {

    public TaskPlan {
        partitions = List.copyOf(partitions);
    }

    public int replicas() {
        return partitions.size();
    }
}
