package io.jigsaw.planner.online;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The root demand of one graph, estimated from the telemetry of its root task: each replica reports
 * the pieces that reached it per window; the demand is the sum over replicas of an exponentially
 * smoothed rate. Smoothing is by time, not by record, so a faster telemetry interval does not make
 * the estimate jumpier. A replica silent for longer than {@code staleAfterMs} no longer counts
 * (a plan that deactivated it, or a subtask that died).
 */
public final class DemandEstimator {

    private record ReplicaRate(double rps, long lastWindowEndMs) {
    }

    private final double timeConstantMs;
    private final long staleAfterMs;
    private final Map<Integer, ReplicaRate> replicas = new HashMap<>();

    /**
     * @param timeConstantMs how fast the estimate follows a change: after one time constant it has
     *     moved 63 % of the way
     */
    public DemandEstimator(double timeConstantMs, long staleAfterMs) {
        if (!(timeConstantMs > 0) || staleAfterMs <= 0) {
            throw new IllegalArgumentException("time constant and staleness must be > 0");
        }
        this.timeConstantMs = timeConstantMs;
        this.staleAfterMs = staleAfterMs;
    }

    /**
     * The estimator for telemetry every {@code interval}: a replica counts until it has missed three
     * windows, plus a second for the trip through Kafka. The sidecar and the simulator both use it.
     */
    public static DemandEstimator forTelemetry(Duration interval, Duration smoothing) {
        return new DemandEstimator(smoothing.toMillis(), 3 * interval.toMillis() + 1_000);
    }

    /** One telemetry window of one replica of the root task. Late or repeated windows are ignored. */
    public void observe(int replica, long windowEndMs, long windowMs, long arrivals) {
        if (windowMs <= 0) {
            return;
        }
        double rate = arrivals * 1000.0 / windowMs;
        ReplicaRate before = replicas.get(replica);
        if (before == null) {
            replicas.put(replica, new ReplicaRate(rate, windowEndMs));
            return;
        }
        if (windowEndMs <= before.lastWindowEndMs()) {
            return;
        }
        double alpha = 1 - Math.exp(-windowMs / timeConstantMs);
        replicas.put(replica, new ReplicaRate(before.rps() + alpha * (rate - before.rps()), windowEndMs));
    }

    /** @return requests per second at the root, 0 before any telemetry */
    public double estimateRps(long nowMs) {
        double sum = 0;
        for (ReplicaRate r : replicas.values()) {
            if (nowMs - r.lastWindowEndMs() <= staleAfterMs) {
                sum += r.rps();
            }
        }
        return sum;
    }

    /** @return whether any replica reported recently enough to count */
    public boolean hasEstimate(long nowMs) {
        return replicas.values().stream().anyMatch(r -> nowMs - r.lastWindowEndMs() <= staleAfterMs);
    }
}
