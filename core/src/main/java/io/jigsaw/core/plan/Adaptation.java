package io.jigsaw.core.plan;

import java.io.Serializable;
import java.util.List;
import java.util.Optional;

/**
 * Per-request adaptation a plan may give one task, inside the plan's partitions and batch size: the
 * plan still fixes the GPU share; these choose, batch by batch and piece by piece, what runs on it.
 *
 * <ul>
 * <li>A <b>ladder</b> (SuperServe's slack-fit): variants, most accurate first, each with the time a
 * batch of the plan's size takes on the replica's share. When a batch forms, the replica runs the
 * first rung that still lets the batch's tightest piece meet its deadline after the tasks below it
 * have had their planned budgets; when none does, the last rung (the fastest), and early drop stays the
 * last resort.</li>
 * <li>A <b>cascade</b> (CascadeServe): the task's variant (or the ladder's rung) runs first; a piece
 * whose top label score is below {@code threshold} runs again on {@code escalateTo}, on the same
 * replica, if its deadline still allows it. An escalated piece is still one piece: answered once.</li>
 * </ul>
 */
public record Adaptation(List<Rung> ladder, Cascade cascade) implements Serializable {

    public static final Adaptation NONE = new Adaptation(List.of(), null);

    /** @param batchMs the planner's expected time of one batch of this variant at the plan's batch size and share */
    public record Rung(String variant, double batchMs) implements Serializable {
    }

    /**
     * @param escalateTo the variant a low-confidence piece runs on next
     * @param threshold a piece whose top label score is below it is escalated
     * @param escalateBatchMs the expected time of one batch of {@code escalateTo} at the plan's batch size and share
     * @param expectedRate the fraction of pieces the planner expects to escalate (offline, validation split)
     */
    public record Cascade(String escalateTo, double threshold, double escalateBatchMs, double expectedRate) implements Serializable {
    }

    public Adaptation {
        ladder = List.copyOf(ladder);
    }

    public boolean none() {
        return ladder.isEmpty() && cascade == null;
    }

    public Optional<Cascade> cascadeIfAny() {
        return Optional.ofNullable(cascade);
    }

    public Adaptation withLadder(List<Rung> rungs) {
        return new Adaptation(rungs, cascade);
    }

    public Adaptation withCascade(Cascade c) {
        return new Adaptation(ladder, c);
    }
}
