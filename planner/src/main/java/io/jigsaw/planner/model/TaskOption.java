package io.jigsaw.planner.model;

/**
 * What a plan chooses for one task, as one value: variant, batch size and the share of each replica.
 * One value rather than three variables, because the latency rule couples them: a move that changes
 * the variant must be free to change the batch in the same step.
 *
 * @param share percent of one GPU per replica; 0 for a pseudo-task, which costs nothing
 */
public record TaskOption(String variant, int batch, double share) {

    @Override
    public String toString() {
        return variant + " b" + batch + " @" + (share == Math.rint(share) ? Long.toString((long) share) : String.format("%.1f", share)) + "%";
    }
}
