package io.jigsaw.models;

import io.jigsaw.core.graph.ModelRecipe;
import io.jigsaw.core.graph.TensorSpec;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.SessionFunction;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Builds one synthetic variant from its {@link ModelRecipe} and exports it as a SavedModel whose
 * {@code serving_default} signature takes {@code input} [batch, ...the input it is fed] float32 and
 * gives the recipe's named outputs. Weights are seeded constants (a constant graph needs no
 * variable restore); random for the demo's variants, set by hand for the {@code brightness} detector.
 */
final class RecipeModels {

    static final String INPUT = "input";

    /** How far apart the random detectors' scores are pushed: about 1 cell in 9 scores above 0.5. */
    private static final float DETECTOR_OFFSET = 1.2f;

    private RecipeModels() {
    }

    static void export(ModelRecipe recipe, TensorSpec input, Path dir) throws IOException {
        if (!TensorSpec.FLOAT32.equals(input.dtype()) || input.shape().size() != (recipe.imageInput() ? 3 : 1)) {
            throw new IllegalArgumentException("a " + recipe.kind() + " recipe takes a float32 "
                    + (recipe.imageInput() ? "[height, width, channels]" : "[length]") + " input, not " + input.dtype() + " " + input.shape());
        }
        SplittableRandom random = new SplittableRandom(recipe.seed());
        try (Graph graph = new Graph(); Session session = new Session(graph)) {
            Ops tf = Ops.create(graph);
            Placeholder<TFloat32> x = input(tf, input);
            Signature.Builder signature = Signature.builder().key(Signature.DEFAULT_KEY).input(INPUT, x);
            switch (recipe.kind()) {
                case "detector" -> detector(tf, random, recipe, trunk(tf, random, recipe, x, input), signature);
                case "brightness" -> brightness(tf, recipe, x, input, signature);
                case "regressor" -> signature.output("value",
                        tf.math.softplus(dense(tf, random, pooled(tf, trunk(tf, random, recipe, x, input)), recipe.dense())));
                case "mlp" -> signature.output("probabilities", tf.nn.softmax(dense(tf, random, hidden(tf, random, recipe, x), recipe.dense())));
                default -> signature.output("probabilities",
                        tf.nn.softmax(dense(tf, random, pooled(tf, trunk(tf, random, recipe, x, input)), recipe.dense())));
            }
            SavedModelBundle.exporter(dir.toString()).withFunction(SessionFunction.create(signature.build(), session)).export();
        }
    }

    /** The serving signature's input: [batch, ...the input the graph feeds the model], float32. */
    static Placeholder<TFloat32> input(Ops tf, TensorSpec input) {
        long[] dims = new long[input.shape().size() + 1];
        dims[0] = -1;
        for (int i = 0; i < input.shape().size(); i++) {
            dims[i + 1] = input.shape().get(i);
        }
        return tf.withName(INPUT).placeholder(TFloat32.class, Placeholder.shape(Shape.of(dims)));
    }

    private record Trunk(Operand<TFloat32> features, long channels) {
    }

    /** 3x3 conv, ReLU, 2x2 max-pool per entry of {@code conv}. */
    private static Trunk trunk(Ops tf, SplittableRandom random, ModelRecipe recipe, Operand<TFloat32> x, TensorSpec input) {
        Operand<TFloat32> h = x;
        long channels = input.shape().get(2);
        for (int width : recipe.conv()) {
            Operand<TFloat32> filter = heNormal(tf, random, Shape.of(3, 3, channels, width), 9 * channels);
            h = tf.nn.conv2d(h, filter, List.of(1L, 1L, 1L, 1L), "SAME");
            h = tf.nn.relu(tf.nn.biasAdd(h, zeros(tf, width)));
            h = tf.nn.maxPool(h, tf.constant(new int[] {1, 2, 2, 1}), tf.constant(new int[] {1, 2, 2, 1}), "SAME");
            channels = width;
        }
        return new Trunk(h, channels);
    }

    private record Features(Operand<TFloat32> vector, long size) {
    }

    private static Features pooled(Ops tf, Trunk t) {
        return new Features(tf.math.mean(t.features(), tf.constant(new int[] {1, 2})), t.channels());
    }

    private static Features hidden(Ops tf, SplittableRandom random, ModelRecipe recipe, Operand<TFloat32> x) {
        Features h = new Features(x, x.shape().size(1));
        for (int width : recipe.hidden()) {
            h = new Features(tf.nn.relu(dense(tf, random, h, width)), width);
        }
        return h;
    }

    private static Operand<TFloat32> dense(Ops tf, SplittableRandom random, Features in, int out) {
        return tf.linalg.matMul(in.vector(), heNormal(tf, random, Shape.of(in.size(), out), in.size()));
    }

    /**
     * Objectness per grid cell from a 1x1 conv of the trunk, resized to the grid; standardised across
     * the cells of each frame and shifted, so random weights still find a few objects per frame.
     */
    private static void detector(Ops tf, SplittableRandom random, ModelRecipe recipe, Trunk t, Signature.Builder signature) {
        int g = recipe.grid();
        Operand<TFloat32> logits = tf.nn.conv2d(t.features(), heNormal(tf, random, Shape.of(1, 1, t.channels(), 1), t.channels()),
                List.of(1L, 1L, 1L, 1L), "SAME");
        Operand<TFloat32> cells = tf.reshape(tf.image.resizeBilinear(logits, tf.constant(new int[] {g, g})), tf.constant(new int[] {-1, g * g}));
        Operand<TFloat32> mean = tf.math.mean(cells, tf.constant(1), org.tensorflow.op.math.Mean.keepDims(true));
        Operand<TFloat32> centred = tf.math.sub(cells, mean);
        Operand<TFloat32> std = tf.math.sqrt(tf.math.add(tf.math.mean(tf.math.square(centred), tf.constant(1),
                org.tensorflow.op.math.Mean.keepDims(true)), tf.constant(1e-6f)));
        Operand<TFloat32> scores = tf.math.sigmoid(tf.math.sub(tf.math.div(centred, std), tf.constant(DETECTOR_OFFSET)));
        signature.output("scores", scores).output("boxes", cellBoxes(tf, scores, g));
    }

    /** Hand-set weights: a cell's score is sigmoid(20 × (its mean brightness − 0.5)). */
    private static void brightness(Ops tf, ModelRecipe recipe, Operand<TFloat32> x, TensorSpec input, Signature.Builder signature) {
        int g = recipe.grid();
        int h = input.shape().get(0);
        int w = input.shape().get(1);
        if (h % g != 0 || w % g != 0) {
            throw new IllegalArgumentException("a brightness detector's grid (" + g + ") must divide its input " + input.shape());
        }
        Operand<TFloat32> gray = tf.math.mean(x, tf.constant(3), org.tensorflow.op.math.Mean.keepDims(true));
        Operand<TFloat32> cellMean = tf.nn.avgPool(gray, List.of(1L, (long) h / g, (long) w / g, 1L), List.of(1L, (long) h / g, (long) w / g, 1L),
                "VALID");
        Operand<TFloat32> cells = tf.reshape(cellMean, tf.constant(new int[] {-1, g * g}));
        Operand<TFloat32> scores = tf.math.sigmoid(tf.math.mul(tf.math.sub(cells, tf.constant(0.5f)), tf.constant(20f)));
        signature.output("scores", scores).output("boxes", cellBoxes(tf, scores, g));
    }

    /** Each cell's own square, [x1, y1, x2, y2] normalised, in row-major cell order, for every frame of the batch. */
    private static Operand<TFloat32> cellBoxes(Ops tf, Operand<TFloat32> scores, int g) {
        float[] boxes = new float[g * g * 4];
        for (int row = 0; row < g; row++) {
            for (int col = 0; col < g; col++) {
                int i = (row * g + col) * 4;
                boxes[i] = (float) col / g;
                boxes[i + 1] = (float) row / g;
                boxes[i + 2] = (float) (col + 1) / g;
                boxes[i + 3] = (float) (row + 1) / g;
            }
        }
        Operand<TFloat32> perFrame = tf.constant(Shape.of(g * g, 4), DataBuffers.of(boxes, true, false));
        // [batch, cells, 1] + [cells, 4] broadcasts to [batch, cells, 4].
        return tf.math.add(tf.expandDims(tf.zerosLike(scores), tf.constant(-1)), perFrame);
    }

    private static Operand<TFloat32> zeros(Ops tf, int n) {
        return tf.constant(Shape.of(n), DataBuffers.of(new float[n], true, false));
    }

    /** He initialisation keeps activations from vanishing through the ReLU stack. */
    private static Operand<TFloat32> heNormal(Ops tf, SplittableRandom random, Shape shape, long fanIn) {
        float[] w = new float[(int) shape.size()];
        double std = Math.sqrt(2.0 / fanIn);
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (gaussian(random) * std);
        }
        return tf.constant(shape, DataBuffers.of(w, true, false));
    }

    private static double gaussian(SplittableRandom random) {
        double u = 1.0 - random.nextDouble();
        double v = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    static List<String> describe(ModelRecipe r) {
        List<String> parts = new ArrayList<>();
        parts.add(r.kind());
        if (!r.conv().isEmpty()) {
            parts.add("conv=" + r.conv());
        }
        if (!r.hidden().isEmpty()) {
            parts.add("hidden=" + r.hidden());
        }
        parts.add(r.detects() ? "grid=" + r.grid() : "dense=" + r.dense());
        return parts;
    }
}
