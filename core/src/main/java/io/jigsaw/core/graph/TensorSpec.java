package io.jigsaw.core.graph;

import java.io.Serializable;
import java.util.List;

/** Shape (without the batch axis) and element type of a graph's input tensor. */
public record TensorSpec(List<Integer> shape, String dtype) implements Serializable {

    public static final String FLOAT32 = "float32";

    public TensorSpec {
        shape = List.copyOf(shape);
    }

    public long elements() {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    /** Bytes of one element; float32 is what TF SavedModels built by `models` take. */
    public int elementBytes() {
        return switch (dtype) {
            case FLOAT32, "int32" -> 4;
            case "float64", "int64" -> 8;
            case "uint8", "int8" -> 1;
            default -> throw new IllegalStateException("unsupported dtype " + dtype);
        };
    }

    public long bytes() {
        return elements() * elementBytes();
    }
}
