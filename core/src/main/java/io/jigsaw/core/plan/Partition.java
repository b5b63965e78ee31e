package io.jigsaw.core.plan;

/**
 * One replica's slice of a GPU: MPS-style percent of GPU {@code gpu}, and what this replica runs when
 * the plan splits its task's traffic across variants (Loki's mechanism).
 *
 * @param variant this replica's variant; {@code null}: the task's
 * @param batchSize this replica's batch size; 0: the task's
 * @param weight the planned fraction of the task's traffic this replica takes; 0 for every replica of
 *     a task: even (as before splits existed)
 */
public record Partition(int gpu, double share, String variant, int batchSize, double weight) implements java.io.Serializable {

    public Partition(int gpu, double share) {
        this(gpu, share, null, 0, 0);
    }
}
