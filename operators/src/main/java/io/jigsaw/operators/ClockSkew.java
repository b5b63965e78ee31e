package io.jigsaw.operators;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * How far producers' clocks are from the job's, as seen at decoding: a request's event time minus its
 * arrival. Negative is normal (the time it took to arrive, or a clock behind ours: the two cannot be told
 * apart, and a request that seems to have waited past its deadline is answered dropped); positive beyond
 * {@link RequestDecoder#CLOCK_AHEAD_TOLERANCE_MS} can only be a clock ahead of ours.
 */
final class ClockSkew {

    private final Counter ahead;
    private volatile long lastMs;
    private volatile long maxAheadMs;

    ClockSkew(MetricGroup group) {
        ahead = group.counter("clockAheadRequests");
        group.gauge("clockSkewMs", () -> lastMs);
        group.gauge("clockAheadMaxMs", () -> maxAheadMs);
    }

    /** @param aheadMs event time minus arrival of one request */
    void observe(long aheadMs) {
        lastMs = aheadMs;
        if (aheadMs > RequestDecoder.CLOCK_AHEAD_TOLERANCE_MS) {
            ahead.inc();
            maxAheadMs = Math.max(maxAheadMs, aheadMs);
        }
    }
}
