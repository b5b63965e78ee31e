package io.jigsaw.core.graph;

import java.io.Serializable;
import java.util.List;

/**
 * How the `models` command builds a synthetic convnet variant: one 3x3 conv (+ReLU, 2x2 max-pool)
 * per entry of {@code conv} with that many channels, global average pooling, then a dense layer of
 * {@code dense} outputs. Wider and deeper recipes cost more compute, which is all a demo variant
 * needs to differ by: the weights are random (no trained weights can be fetched offline).
 */
public record ModelRecipe(List<Integer> conv, int dense, long seed) implements Serializable {

    public ModelRecipe {
        conv = List.copyOf(conv);
    }
}
