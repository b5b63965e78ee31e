package io.jigsaw.core.serving;

import io.jigsaw.core.plan.Adaptation;
import io.jigsaw.core.plan.Slack;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The rules by which one replica serves its queue under a plan, for the job and the simulator alike.
 * Times are milliseconds on one clock; a deadline of 0 or less means the piece has none.
 *
 * <ul>
 * <li><b>Batch cut</b>: a batch runs when the queue holds the plan's batch size, or when the first
 * piece seen since the last batch has waited the plan's timeout; a queue longer than one batch runs
 * as consecutive plan-sized batches ({@link #chunks}).</li>
 * <li><b>Early drop</b>: a piece whose batch would end after its deadline at the replica's pace is not
 * run ({@link #judge}); the pace is the replica's last batch, or under a ladder its fastest rung's
 * estimate ({@link #pace}).</li>
 * <li><b>Ladder</b>: each batch runs the most accurate rung whose estimated time leaves the batch's
 * tightest piece the planned budgets of the tasks below ({@link #rung}).</li>
 * <li><b>Cascade</b>: a piece of the first stage runs again on the larger variant when it is of low
 * confidence and its deadline leaves the second stage and the budgets below time ({@link #escalates}).</li>
 * </ul>
 * A rung's (and the second stage's) estimate is the larger of its profiled batch time and what its last
 * batch took on this replica.
 */
public final class ReplicaPolicy implements Serializable {

    private static final long serialVersionUID = 1L;

    private final boolean earlyDrop;

    /** @param earlyDrop false: every piece runs, however late */
    public ReplicaPolicy(boolean earlyDrop) {
        this.earlyDrop = earlyDrop;
    }

    /** Whether a queue of {@code queued} pieces holds a full batch. */
    public static boolean full(int queued, int batchSize) {
        return queued >= batchSize;
    }

    /** When a batch runs, however small, once its first piece was seen at {@code firstSeenMs}. */
    public static double timeoutAtMs(double firstSeenMs, double batchTimeoutMs) {
        return firstSeenMs + Math.ceil(batchTimeoutMs);
    }

    /** A queue cut into plan-sized batches, in order. Each batch is judged for lateness as it starts. */
    public static <P> List<List<P>> chunks(List<P> queue, int batchSize) {
        List<List<P>> out = new ArrayList<>();
        for (int from = 0; from < queue.size(); from += batchSize) {
            out.add(queue.subList(from, Math.min(queue.size(), from + batchSize)));
        }
        return out;
    }

    /** The pace a batch is judged by: the replica's last batch, or a ladder's fastest rung, as estimated. */
    public double pace(Adaptation adaptation, ReplicaPace measured) {
        List<Adaptation.Rung> ladder = adaptation.ladder();
        return ladder.isEmpty() ? measured.lastMs() : estimateMs(ladder.get(ladder.size() - 1), measured);
    }

    /** Early drop of one piece whose batch starts at {@code nowMs} and takes {@code paceMs}. */
    public Lateness judge(double deadlineMs, double nowMs, double paceMs) {
        if (!earlyDrop || deadlineMs <= 0 || nowMs + paceMs <= deadlineMs) {
            return Lateness.ON_TIME;
        }
        return new Lateness(true, deadlineMs - nowMs, paceMs);
    }

    /** The pieces of a batch that are not late; each late one is told to {@code dropped}. */
    public <P> List<P> onTime(List<P> batch, ToDoubleFunction<P> deadlineMs, double nowMs, double paceMs, Dropped<P> dropped) {
        List<P> kept = new ArrayList<>(batch.size());
        for (P p : batch) {
            Lateness l = judge(deadlineMs.applyAsDouble(p), nowMs, paceMs);
            if (l.late()) {
                dropped.drop(p, l);
            } else {
                kept.add(p);
            }
        }
        return kept;
    }

    /** Told each piece early drop takes. */
    @FunctionalInterface
    public interface Dropped<P> {
        void drop(P piece, Lateness why);
    }

    /** A rung's (or a second stage's) batch time here: its profile, or its last batch on this replica when longer. */
    public static double estimateMs(Adaptation.Rung rung, ReplicaPace measured) {
        return Math.max(rung.batchMs(), measured.lastMs(rung.variant(), 0));
    }

    /**
     * Slack-fit: the ladder's variant for a batch whose tightest deadline is {@code tightestDeadlineMs}
     * (0 or less: none) starting at {@code nowMs}, leaving {@code belowMs} to the tasks below.
     */
    public static String rung(Adaptation adaptation, double tightestDeadlineMs, double nowMs, double belowMs, ReplicaPace measured) {
        double slack = tightestDeadlineMs <= 0 ? Double.MAX_VALUE : tightestDeadlineMs - nowMs - belowMs;
        List<Adaptation.Rung> estimated = adaptation.ladder().stream().map(r -> new Adaptation.Rung(r.variant(), estimateMs(r, measured)))
                .toList();
        return Slack.fit(estimated, slack).variant();
    }

    /** The tightest deadline of a batch (0 when none has one), by which a ladder picks its rung. */
    public static <P> double tightestDeadlineMs(List<P> batch, ToDoubleFunction<P> deadlineMs) {
        double tightest = Double.MAX_VALUE;
        for (P p : batch) {
            double d = deadlineMs.applyAsDouble(p);
            if (d > 0) {
                tightest = Math.min(tightest, d);
            }
        }
        return tightest == Double.MAX_VALUE ? 0 : tightest;
    }

    /**
     * Whether a piece of a cascade's first stage, finished at {@code nowMs}, runs again on the larger
     * variant: it is of low confidence and its deadline leaves the second stage and the budgets below time.
     */
    public static boolean escalates(Adaptation.Cascade cascade, boolean lowConfidence, double deadlineMs, double nowMs, double belowMs,
            ReplicaPace measured) {
        if (!lowConfidence) {
            return false;
        }
        double second = estimateMs(new Adaptation.Rung(cascade.escalateTo(), cascade.escalateBatchMs()), measured);
        return deadlineMs <= 0 || nowMs + second + belowMs <= deadlineMs;
    }

    /** Low confidence: the top label score is under the cascade's threshold (no scores: the lowest). */
    public static boolean lowConfidence(Adaptation.Cascade cascade, float[] scores) {
        double top = Double.NEGATIVE_INFINITY;
        if (scores != null) {
            for (float s : scores) {
                top = Math.max(top, s);
            }
        }
        return top < cascade.threshold();
    }

    /** Whether a batch of {@code ran} is a cascade's first stage (a batch already on the larger variant is not). */
    public static boolean firstStage(Adaptation.Cascade cascade, String ran) {
        return cascade != null && !cascade.escalateTo().equals(ran);
    }
}
