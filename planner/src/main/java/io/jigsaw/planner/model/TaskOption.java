package io.jigsaw.planner.model;

/**
 * What a plan chooses for one task, as one value: variant, batch size and the share of each replica.
 * One value rather than three variables, because the latency rule couples them: a move that changes
 * the variant must be free to change the batch in the same step.
 *
 * @param share percent of one GPU per replica; 0 for a pseudo-task, which costs nothing
 * @param processes how many replicas share one MIG slice of {@code share × processes} percent (MPS inside
 *     the slice, each at the latency measured so); 1: a partition of its own
 */
public record TaskOption(String variant, int batch, double share, int processes) {

    public TaskOption(String variant, int batch, double share) {
        this(variant, batch, share, 1);
    }

    @Override
    public String toString() {
        String base = variant + " b" + batch + " @" + percent(share) + "%";
        return processes == 1 ? base : base + " (" + processes + " per " + percent(share * processes) + "% slice)";
    }

    private static String percent(double s) {
        return s == Math.rint(s) ? Long.toString((long) s) : String.format(java.util.Locale.ROOT, "%.1f", s);
    }
}
