package io.jigsaw.core.trace;

import java.util.Arrays;
import java.util.Optional;

/**
 * Request arrivals: offsets in ms from the trace's start, ascending, and optionally the graph each
 * request is for (a mix of applications). Arrays, not lists of objects: a simulated trace holds
 * millions of requests.
 *
 * @param source where it came from (a file, or the synthetic spec), for reports
 * @param graphs per request, or null when the trace names no graph (every request is for the one served)
 */
public record Trace(String source, double[] atMs, String[] graphs) {

    public Trace {
        if (graphs != null && graphs.length != atMs.length) {
            throw new IllegalArgumentException("graphs must match arrivals");
        }
        for (int i = 1; i < atMs.length; i++) {
            if (atMs[i] < atMs[i - 1]) {
                throw new IllegalArgumentException("arrivals must be ascending");
            }
        }
    }

    public int size() {
        return atMs.length;
    }

    /** Last arrival, or 0 for an empty trace. */
    public double durationMs() {
        return atMs.length == 0 ? 0 : atMs[atMs.length - 1];
    }

    public double meanRateRps() {
        return durationMs() <= 0 ? 0 : size() * 1000.0 / durationMs();
    }

    /**
     * The rate of the first 5 s (or of the whole trace if shorter): what a launch is sized for before
     * any telemetry, by the demo's sidecar and by the simulator alike.
     */
    public double openingRateRps() {
        double windowMs = Math.min(5_000, Math.max(1_000, durationMs()));
        int n = 0;
        while (n < atMs.length && atMs[n] < windowMs) {
            n++;
        }
        return n * 1000.0 / windowMs;
    }

    public Optional<String> graph(int i) {
        return graphs == null ? Optional.empty() : Optional.ofNullable(graphs[i]);
    }

    /** Arrivals per second, for plots and for checking a generator. */
    public long[] perSecond() {
        long[] out = new long[(int) Math.floor(durationMs() / 1000) + 1];
        for (double t : atMs) {
            out[(int) (t / 1000)]++;
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Trace t && source.equals(t.source) && Arrays.equals(atMs, t.atMs) && Arrays.equals(graphs, t.graphs);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(atMs) + Arrays.hashCode(graphs);
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "%s: %d requests over %.1f s (%.1f req/s)", source, size(), durationMs() / 1000,
                meanRateRps());
    }
}
