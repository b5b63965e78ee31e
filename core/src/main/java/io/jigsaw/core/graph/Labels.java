package io.jigsaw.core.graph;

import java.io.Serializable;
import java.util.List;

/**
 * Names for the entries of a classifier's output tensor: results show the {@code top} best as
 * (label, score) pairs besides the raw tensor. {@code labels: {tensor: probabilities, top: 3, names: [...]}}.
 */
public record Labels(String tensor, int top, List<String> names) implements Serializable {

    public Labels {
        names = List.copyOf(names);
    }
}
