package io.jigsaw.job.demo;

import io.jigsaw.core.stats.Percentiles;
import io.jigsaw.schemas.Result;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/** What the demo reports of the results topic: counts, duplicates, SLO attainment, latency percentiles. */
public final class ResultStats {

    private final Set<String> seen = new HashSet<>();
    private long completed;
    private long dropped;
    private long duplicates;
    private long sloMet;
    private double accuracySum;
    private long[] latencies = new long[1024];
    private int n;

    /** @return false when the request id was already counted (a duplicate) */
    public synchronized boolean add(Result r) {
        if (!seen.add(r.getRequestId())) {
            duplicates++;
            return false;
        }
        if (r.getDropped()) {
            dropped++;
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
        return true;
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
