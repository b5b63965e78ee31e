package io.jigsaw.planner.profile;

/**
 * Latency of one batch of {@code batch} inputs of {@code variant} on a {@code share} percent partition
 * of {@code device}.
 *
 * @param p99Ms the tail the planner bounds latency with; for Loki's runtimes.csv, which stops at the
 *     95th percentile, that column
 * @param p50Ms the typical batch time; throughput is {@code batch / p50}
 * @param processes how many processes of this variant share the partition at once (MPS inside a MIG slice,
 *     as ParvaGPU measured them); {@code share} is then each process's part of the slice, and the times are
 *     one process's while the others run beside it. 1 for a partition of its own.
 */
public record ProfileRow(String variant, String device, double share, int batch, double p50Ms, double p99Ms, Source source,
        int processes) {

    public ProfileRow {
        if (processes < 1) {
            throw new IllegalArgumentException("a row runs at least one process, found " + processes);
        }
    }

    public ProfileRow(String variant, String device, double share, int batch, double p50Ms, double p99Ms, Source source) {
        this(variant, device, share, batch, p50Ms, p99Ms, source, 1);
    }

    /** The partition the processes share, in percent of the GPU (a MIG slice where {@code processes > 1}). */
    public double sliceShare() {
        return share * processes;
    }

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
