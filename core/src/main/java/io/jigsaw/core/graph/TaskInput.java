package io.jigsaw.core.graph;

import java.io.Serializable;
import java.util.List;

/**
 * What a task's model is fed, declared per task in the graph ({@code input:}); what the edges of the
 * graph carry at run time follows from it.
 */
public sealed interface TaskInput extends Serializable {

    /** The request's frame (the graph's {@code input} tensor): {@code input: frame}, and the default. */
    record Frame() implements TaskInput {
    }

    /** A parent's named output tensor: {@code input: {from: detect, tensor: features}}. */
    record ParentTensor(String from, String tensor) implements TaskInput {
    }

    /**
     * Crops of the parent's input image at the parent's boxes: one piece per box scoring at least
     * {@code minScore}, the best {@code max} of them, each resized to {@code height × width}.
     * Boxes are {@code [x1, y1, x2, y2]}, normalised to the parent's input (0..1).
     */
    record Crops(String from, String boxes, String scores, double minScore, int max, int height, int width) implements TaskInput {
    }

    /**
     * A join's input: per branch (in this order) the named tensor of every piece that branch sends for
     * the request, in object order, zero-padded to the most pieces the branch can send, then all of
     * it concatenated into one vector. One input tensor keeps every single-input SavedModel usable as
     * a join and gives the loader one shape to check.
     */
    record Join(List<ParentTensor> branches) implements TaskInput {
        public Join {
            branches = List.copyOf(branches);
        }
    }

    static TaskInput frame() {
        return new Frame();
    }
}
