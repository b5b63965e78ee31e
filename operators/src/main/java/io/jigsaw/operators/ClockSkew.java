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

    /** Producers measured apart; more than these share the group {@code producer=other}. */
    static final int MAX_PRODUCERS = 32;
    /** A producer's name is cut to this many characters. */
    static final int MAX_NAME_CHARS = 64;

    private final MetricGroup group;
    private final Counter ahead;
    private volatile long lastMs;
    private volatile long maxAheadMs;
    /** Per producer (its record header): the last skew seen, in group {@code producer=<name>}. */
    private final java.util.Map<String, long[]> perProducer = new java.util.concurrent.ConcurrentHashMap<>();

    ClockSkew(MetricGroup group) {
        this.group = group;
        ahead = group.counter("clockAheadRequests");
        group.gauge("clockSkewMs", () -> lastMs);
        group.gauge("clockAheadMaxMs", () -> maxAheadMs);
    }

    /** @param aheadMs event time minus arrival of one request */
    void observe(long aheadMs) {
        observe(null, aheadMs);
    }

    /**
     * @param producer who sent it (its {@link SourceRecord#PRODUCER_HEADER} header), or null
     * @param aheadMs event time minus arrival of one request
     */
    void observe(String producer, long aheadMs) {
        lastMs = aheadMs;
        if (aheadMs > RequestDecoder.CLOCK_AHEAD_TOLERANCE_MS) {
            ahead.inc();
            maxAheadMs = Math.max(maxAheadMs, aheadMs);
        }
        if (producer != null) {
            // A header is whatever a client wrote: a metric group name of at most 64 plain characters.
            String safe = producer.replaceAll("[^A-Za-z0-9._@-]", "_");
            safe = safe.substring(0, Math.min(safe.length(), MAX_NAME_CHARS));
            String name = perProducer.containsKey(safe) || perProducer.size() < MAX_PRODUCERS ? safe : "other";
            perProducer.computeIfAbsent(name, n -> {
                long[] last = new long[1];
                group.addGroup("producer", n).gauge("clockSkewMs", () -> last[0]);
                return last;
            })[0] = aheadMs;
        }
    }
}
