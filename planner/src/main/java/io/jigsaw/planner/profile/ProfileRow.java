package io.jigsaw.planner.profile;

/**
 * Latency of one batch of {@code batch} inputs of {@code variant} on a {@code share} percent partition
 * of {@code device}.
 *
 * @param p99Ms the tail the planner bounds latency with; for Loki's runtimes.csv, which stops at the
 *     95th percentile, that column
 * @param p50Ms the typical batch time; throughput is {@code batch / p50}
 */
public record ProfileRow(String variant, String device, double share, int batch, double p50Ms, double p99Ms, Source source) {

    /** Where a row comes from: every report that rests on a derived row says so. */
    public enum Source {
        MEASURED, DERIVED;

        public String label() {
            return name().toLowerCase();
        }
    }

    /** Inputs per second of one replica running back-to-back batches. */
    public double throughputPerSecond() {
        return batch * 1000.0 / p50Ms;
    }

    public boolean derived() {
        return source == Source.DERIVED;
    }
}
