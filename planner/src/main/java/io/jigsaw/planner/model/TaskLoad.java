package io.jigsaw.planner.model;

/**
 * What one task's option costs and delivers at the rate that reaches it; with a traffic split, the main
 * option's group and the {@code spill} group (see {@link Spill}) each have their own load.
 *
 * @param rateRps pieces per second into this group (root demand × upstream fan-outs, less what the spill takes)
 * @param replicas partitions needed so each stays under the planned utilisation (0: the spill takes everything)
 * @param batchMs the profile's latency of one batch on one partition under the policy (tail; Loki's own: median)
 * @param fillMs time for one replica to collect a full batch at its share of the rate
 * @param latencyMs the group's latency bound under the policy's rule (see {@link PlanEvaluator})
 * @param derived whether the profile row used was derived rather than measured
 * @param spill the other variant's group of a split, or null
 */
public record TaskLoad(String task, TaskOption option, double rateRps, int replicas, double batchMs, double fillMs,
        double latencyMs, boolean derived, TaskLoad spill) {

    public TaskLoad(String task, TaskOption option, double rateRps, int replicas, double batchMs, double fillMs, double latencyMs,
            boolean derived) {
        this(task, option, rateRps, replicas, batchMs, fillMs, latencyMs, derived, null);
    }

    public TaskLoad withSpill(TaskLoad other) {
        return new TaskLoad(task, option, rateRps, replicas, batchMs, fillMs, latencyMs, derived, other);
    }

    /**
     * Share of the main group, plus the spill's. Replicas that share MIG slices hold whole slices: a slice with
     * room for 3 processes holds its share though it runs 1.
     */
    public double totalShare() {
        int per = option.processes();
        double main = per == 1 ? replicas * option.share() : Math.ceil(replicas / (double) per) * option.share() * per;
        return main + (spill == null ? 0 : spill.totalShare());
    }

    /** Pieces per second into the task, both groups. */
    public double taskRateRps() {
        return rateRps + (spill == null ? 0 : spill.rateRps);
    }

    /** The task's bound: the slower of its groups (a group without replicas takes no piece). */
    public double boundMs() {
        double main = replicas > 0 ? latencyMs : 0;
        return spill == null ? main : Math.max(main, spill.latencyMs);
    }

    public int totalReplicas() {
        return replicas + (spill == null ? 0 : spill.replicas);
    }

    public boolean usesDerived() {
        return (replicas > 0 && derived) || (spill != null && spill.derived);
    }

    /** Fraction of the task's pieces the spill group takes (0 without a split). */
    public double spillFraction() {
        double total = taskRateRps();
        return spill == null || total <= 0 ? 0 : spill.rateRps / total;
    }

    /** What the task runs, for people: "yolov5m b8 @100%" or "yolov5m b8 @100% ×3 + yolov5x b4 @100% ×2 (31 %)". */
    public String describe() {
        if (spill == null) {
            return option + " x" + replicas;
        }
        return String.format(java.util.Locale.ROOT, "%s x%d + %s x%d (%.0f %% of traffic)", option, replicas, spill.option, spill.replicas,
                100 * spillFraction());
    }
}
