package io.jigsaw.planner.model;

/**
 * A task's traffic split across variants (Loki's mechanism): beside the task's main option, {@code
 * replicas} replicas of another variant's option each take what they serve at the planned utilisation,
 * and the main option's replicas take the rest. Fixed replicas rather than a fraction of the traffic,
 * because that is the shape of Loki's ILP optimum: whole servers of the second variant, run full.
 * {@link #NONE}: no split.
 */
public record Spill(TaskOption option, int replicas) {

    public static final Spill NONE = new Spill(null, 0);

    public Spill {
        if ((option == null) != (replicas == 0) || replicas < 0) {
            throw new IllegalArgumentException("a spill has an option and at least one replica, or neither: " + option + " x" + replicas);
        }
    }

    public boolean none() {
        return option == null;
    }

    @Override
    public String toString() {
        return none() ? "no split" : replicas + " x " + option;
    }
}
