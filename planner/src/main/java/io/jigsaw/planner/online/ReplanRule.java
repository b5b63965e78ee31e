package io.jigsaw.planner.online;

import java.time.Duration;

/**
 * When to re-plan: the plan in force was made for a demand P that includes headroom. It stays while
 * the estimate E is inside its safe band — up to the point where half the headroom is used, down to
 * where a fresh plan would be {@code shrink} smaller. The gap between the two edges is the
 * hysteresis that keeps a demand wobbling around one value from flapping plans; a down move also
 * waits out a cool-down, an up move never does (the latency SLO is at stake).
 *
 * @param headroom planned demand = estimate × (1 + headroom)
 * @param shrink how much smaller a new plan must be before it replaces one made for more demand
 * @param downCooldown least time between a plan and a smaller one
 * @param minDemandRps never plan for less (an idle graph still gets a plan that serves its first requests)
 */
public record ReplanRule(double headroom, double shrink, Duration downCooldown, double minDemandRps) {

    public ReplanRule {
        if (headroom < 0 || shrink <= 0 || shrink >= 1 || downCooldown.isNegative() || !(minDemandRps > 0)) {
            throw new IllegalArgumentException("need headroom >= 0, 0 < shrink < 1, cool-down >= 0 and min demand > 0");
        }
    }

    public static ReplanRule defaults() {
        return new ReplanRule(0.25, 0.3, Duration.ofSeconds(20), 1);
    }

    /** Which way the estimate has left the band, if it has. */
    public enum Move { STAY, UP, DOWN }

    /** @return the demand to plan for at estimate {@code estimateRps} */
    public double target(double estimateRps) {
        return Math.max(minDemandRps, estimateRps * (1 + headroom));
    }

    /** @return the highest estimate the plan made for {@code plannedRps} is kept at */
    public double upperEdge(double plannedRps) {
        return plannedRps / (1 + headroom / 2);
    }

    /** @return below this estimate a plan made for {@code plannedRps} is replaced by a smaller one */
    public double lowerEdge(double plannedRps) {
        return plannedRps * (1 - shrink) / (1 + headroom);
    }

    public Move decide(double plannedRps, double estimateRps, long sinceLastPlanMs) {
        if (estimateRps > upperEdge(plannedRps)) {
            return Move.UP;
        }
        if (target(estimateRps) < plannedRps * (1 - shrink) && sinceLastPlanMs >= downCooldown.toMillis()) {
            return Move.DOWN;
        }
        return Move.STAY;
    }
}
