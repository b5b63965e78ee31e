package io.jigsaw.operators;

import java.time.Instant;

/**
 * Wall-clock time in microseconds, for the per-request latency breakdown. Flink's processing time
 * is in milliseconds, too coarse for hops of a fraction of a millisecond. Between machines the
 * figures include their clock offset, as Flink's own latency markers do.
 */
final class Micros {

    private Micros() {
    }

    static long now() {
        Instant t = Instant.now();
        return t.getEpochSecond() * 1_000_000 + t.getNano() / 1_000;
    }
}
