package io.jigsaw.job.report;

import io.jigsaw.core.stats.Percentiles;
import io.jigsaw.schemas.Result;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * What the demo reports of the results topic: counts, duplicates, SLO attainment, latency percentiles —
 * both as the job assembled each result and as the client saw it: from the request's event time to the
 * moment this reader could read the result (for exactly-once delivery, after the commit that made it visible).
 */
public final class ResultStats {

    private final double latencySloMs;
    private final Set<String> seen = new HashSet<>();
    private long completed;
    private long dropped;
    /** Drop reasons with their figures taken out ("deadline passed before task detect ran (N ms late)") → count. */
    private final java.util.Map<String, Long> dropReasons = new java.util.TreeMap<>();
    private long duplicates;
    private long sloMet;
    private double accuracySum;
    private long[] latencies = new long[1024];
    private int n;
    private long visibleSloMet;
    private long[] visible = new long[1024];
    private int nVisible;

    /** Counts visible SLO attainment against each result's own {@code slo_met} only (no end-to-end SLO known). */
    public ResultStats() {
        this(0);
    }

    /** @param latencySloMs the graph's latency SLO, to judge each result at the moment it was read */
    public ResultStats(double latencySloMs) {
        this.latencySloMs = latencySloMs;
    }

    /** Counts a result read now. */
    public boolean add(Result r) {
        return add(r, System.currentTimeMillis());
    }

    /**
     * @param readAtMs when a consumer could read it (epoch ms, the clock of the request's event time)
     * @return false when the request id was already counted (a duplicate)
     */
    public synchronized boolean add(Result r, long readAtMs) {
        if (!seen.add(r.getRequestId())) {
            duplicates++;
            return false;
        }
        if (r.getDropped()) {
            dropped++;
            dropReasons.merge(r.getDropReason().replaceAll("\\d+(\\.\\d+)?", "N"), 1L, Long::sum);
        } else {
            completed++;
            accuracySum += r.getAccuracy();
            if (n == latencies.length) {
                latencies = Arrays.copyOf(latencies, n * 2);
            }
            latencies[n++] = r.getLatencyMs();
        }
        if (r.getSloMet()) {
            sloMet++;
        }
        if (!r.getDropped()) {
            long seenAfter = Math.max(0, readAtMs - r.getEventTimeMs());
            if (nVisible == visible.length) {
                visible = Arrays.copyOf(visible, nVisible * 2);
            }
            visible[nVisible++] = seenAfter;
            if (r.getSloMet() && (latencySloMs <= 0 || seenAfter <= latencySloMs)) {
                visibleSloMet++;
            }
        }
        return true;
    }

    /** Share of answered requests a client could read within the latency SLO of their event time (dropped: missed). */
    public synchronized double visibleSloAttainment() {
        return seen.isEmpty() ? 0 : (double) visibleSloMet / seen.size();
    }

    /** Percentile of the latency as the client saw it: event time to the moment the result could be read. */
    public synchronized long visiblePercentile(double q) {
        return Percentiles.of(visible, nVisible, q);
    }

    /** The request ids that have a result. */
    public synchronized Set<String> ids() {
        return Set.copyOf(seen);
    }

    public synchronized boolean has(String requestId) {
        return seen.contains(requestId);
    }

    public synchronized long completed() {
        return completed;
    }

    /** Why requests were dropped: each reason (figures replaced by N) and how many. */
    public synchronized java.util.Map<String, Long> dropsByReason() {
        return new java.util.TreeMap<>(dropReasons);
    }

    public synchronized long dropped() {
        return dropped;
    }

    public synchronized long duplicates() {
        return duplicates;
    }

    public synchronized long answered() {
        return seen.size();
    }

    /** Share of answered requests that met their SLO (dropped ones count as missed). */
    public synchronized double sloAttainment() {
        return seen.isEmpty() ? 0 : (double) sloMet / seen.size();
    }

    public synchronized double meanAccuracy() {
        return completed == 0 ? 0 : accuracySum / completed;
    }

    public synchronized long percentile(double q) {
        return Percentiles.of(latencies, n, q);
    }
}
