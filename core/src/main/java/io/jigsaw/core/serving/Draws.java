package io.jigsaw.core.serving;

/**
 * The two random choices a replica makes for a piece, from a uniform draw {@code u} in [0, 1) that
 * the caller supplies: the job draws it from a hash of the piece (a replayed piece goes where it went
 * and fans out as it did), the simulator from its seeded generator.
 */
public final class Draws {

    private Draws() {
    }

    /** Copies a piece fans out to under a declared mean multiplicity: its floor, plus one with the fraction's probability. */
    public static int copies(double mean, double u) {
        int whole = (int) Math.floor(mean);
        double fraction = mean - whole;
        return whole + (fraction > 0 && u < fraction ? 1 : 0);
    }

    /** The replica a piece goes to: replica i with probability {@code weights[i]} ÷ their sum (the plan's traffic split). */
    public static int replica(double[] weights, double u) {
        double sum = 0;
        for (double w : weights) {
            sum += w;
        }
        double at = 0;
        for (int i = 0; i < weights.length; i++) {
            at += weights[i] / sum;
            if (u < at) {
                return i;
            }
        }
        return weights.length - 1;
    }
}
