package io.jigsaw.planner.model;

/**
 * What one task's option costs and delivers at the rate that reaches it.
 *
 * @param rateRps pieces per second into the task (root demand × upstream fan-outs)
 * @param replicas partitions needed so each stays under the planned utilisation
 * @param batchMs the profile's tail latency of one batch on one partition
 * @param fillMs time for one replica to collect a full batch at its share of the rate
 * @param latencyMs the task's latency bound under the policy's rule (see {@link PlanEvaluator})
 * @param derived whether the profile row used was derived rather than measured
 */
public record TaskLoad(String task, TaskOption option, double rateRps, int replicas, double batchMs, double fillMs,
        double latencyMs, boolean derived) {

    public double totalShare() {
        return replicas * option.share();
    }
}
