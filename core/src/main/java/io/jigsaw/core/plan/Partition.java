package io.jigsaw.core.plan;

/**
 * One replica's slice of a GPU: MPS-style percent of GPU {@code gpu}, and what this replica runs when
 * the plan splits its task's traffic across variants (Loki's mechanism).
 *
 * @param variant this replica's variant; {@code null}: the task's
 * @param batchSize this replica's batch size; 0: the task's
 * @param weight the planned fraction of the task's traffic this replica takes; 0 for every replica of
 *     a task: even (as before splits existed)
 * @param migSlice the MIG slice of the GPU this replica runs in, as its profile and first memory slice
 *     ({@code 3g.40gb@4}); replicas naming the same slice share it (MPS inside MIG), {@code share} being each
 *     one's part; null: an MPS share of the whole GPU
 */
public record Partition(int gpu, double share, String variant, int batchSize, double weight, String migSlice)
        implements java.io.Serializable {

    public Partition(int gpu, double share) {
        this(gpu, share, null, 0, 0, null);
    }

    public Partition(int gpu, double share, String variant, int batchSize, double weight) {
        this(gpu, share, variant, batchSize, weight, null);
    }

    /** The same replica running what a split gives it. */
    public Partition running(String otherVariant, int otherBatch, double otherWeight) {
        return new Partition(gpu, share, otherVariant, otherBatch, otherWeight, migSlice);
    }
}
