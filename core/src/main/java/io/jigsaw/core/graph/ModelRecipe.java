package io.jigsaw.core.graph;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How the `models` command builds a synthetic variant. Image models ({@code classifier},
 * {@code detector}, {@code regressor}) stack one 3x3 conv (+ReLU, 2x2 max-pool) per entry of
 * {@code conv}; {@code mlp} stacks dense layers of {@code hidden} widths on a vector input. Heads:
 * <ul>
 * <li>{@code classifier}: {@code probabilities} [dense] (softmax);</li>
 * <li>{@code detector}: per cell of a {@code grid × grid} grid an objectness {@code scores} [g²] and
 * its cell's box {@code boxes} [g², 4] (x1, y1, x2, y2, normalised);</li>
 * <li>{@code brightness}: a detector with hand-set weights whose score fires where a cell is bright
 * (the mean of the cell minus 0.5, times 20, through a sigmoid): for tests that must know what it finds;</li>
 * <li>{@code regressor}: {@code value} [dense] (softplus, e.g. a depth);</li>
 * <li>{@code mlp}: {@code probabilities} [dense] from a vector (e.g. a join's concatenated branches).</li>
 * </ul>
 * With {@code train} steps the weights are trained on the synthetic XR scenes
 * ({@link io.jigsaw.core.scene.SceneGenerator}) and the variant's accuracy is measured on their test
 * split; without, they are seeded random constants (except {@code brightness}'s, set by hand).
 *
 * @param trainSteps Adam steps of training on the synthetic scenes; 0: random weights
 */
public record ModelRecipe(String kind, List<Integer> conv, List<Integer> hidden, int dense, int grid, long seed, int trainSteps)
        implements Serializable {

    public static final List<String> KINDS = List.of("classifier", "detector", "brightness", "regressor", "mlp");

    public ModelRecipe {
        conv = List.copyOf(conv);
        hidden = List.copyOf(hidden);
    }

    /** A classifier: today's demo recipe. */
    public ModelRecipe(List<Integer> conv, int dense, long seed) {
        this("classifier", conv, List.of(), dense, 0, seed, 0);
    }

    public boolean trained() {
        return trainSteps > 0;
    }

    public boolean detects() {
        return kind.equals("detector") || kind.equals("brightness");
    }

    /** Whether it takes an image [h, w, c] (else a vector). */
    public boolean imageInput() {
        return !kind.equals("mlp");
    }

    /** What a built model records beside it: a model is rebuilt when its recipe or its input changed. */
    public String stamp(TensorSpec input) {
        return this + " input=" + input;
    }

    /** Its output tensors and their shapes (without the batch axis), as the built SavedModel declares them. */
    public Map<String, List<Integer>> outputs() {
        Map<String, List<Integer>> out = new LinkedHashMap<>();
        switch (kind) {
            case "detector", "brightness" -> {
                out.put("boxes", List.of(grid * grid, 4));
                out.put("scores", List.of(grid * grid));
            }
            case "regressor" -> out.put("value", List.of(dense));
            default -> out.put("probabilities", List.of(dense));
        }
        return out;
    }
}
