package io.jigsaw.core.plan;

/** One replica's slice of a GPU: MPS-style percent of GPU {@code gpu}. */
public record Partition(int gpu, double share) implements java.io.Serializable {
}
