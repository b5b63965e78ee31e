package io.jigsaw.core.stats;

import java.util.Arrays;

/**
 * Nearest-rank percentiles: the smallest sample with at least q of the samples at or below it. One
 * definition for telemetry, the demo's summary, the profiler, the simulator and the benchmarks, so
 * their p99s can be put side by side.
 */
public final class Percentiles {

    private Percentiles() {
    }

    /** @param sorted ascending, not empty */
    public static double ofSorted(double[] sorted, double q) {
        return sorted[rank(sorted.length, q)];
    }

    /** @param sorted ascending, not empty */
    public static long ofSorted(long[] sorted, double q) {
        return sorted[rank(sorted.length, q)];
    }

    /** @return the percentile of the first {@code n} values (not changed), 0 when there are none */
    public static double of(double[] values, int n, double q) {
        if (n == 0) {
            return 0;
        }
        double[] sorted = Arrays.copyOf(values, n);
        Arrays.sort(sorted);
        return ofSorted(sorted, q);
    }

    /** @return the percentile of the first {@code n} values (not changed), 0 when there are none */
    public static long of(long[] values, int n, double q) {
        if (n == 0) {
            return 0;
        }
        long[] sorted = Arrays.copyOf(values, n);
        Arrays.sort(sorted);
        return ofSorted(sorted, q);
    }

    private static int rank(int n, double q) {
        if (!(q > 0 && q <= 1)) {
            throw new IllegalArgumentException("percentile must be in (0, 1], found " + q);
        }
        return Math.min(n - 1, Math.max(0, (int) Math.ceil(q * n) - 1));
    }
}
