package io.jigsaw.core.serving;

/**
 * A piece judged for early drop when its batch is cut.
 *
 * @param late the piece is dropped: it is past its deadline, or its batch would end after it
 * @param leftMs deadline less now (negative when past)
 * @param paceMs what a batch takes at the replica's pace, as judged
 */
public record Lateness(boolean late, double leftMs, double paceMs) {

    static final Lateness ON_TIME = new Lateness(false, Double.POSITIVE_INFINITY, 0);

    /** Why the piece was dropped at {@code task}, for the dead letter and the result. */
    public String reason(String task) {
        return leftMs < 0
                ? "deadline passed before task " + task + " ran (" + Math.round(-leftMs) + " ms late)"
                : "task " + task + " could not finish by the deadline (" + Math.round(leftMs) + " ms left, a batch takes "
                        + Math.round(paceMs) + " ms)";
    }
}
