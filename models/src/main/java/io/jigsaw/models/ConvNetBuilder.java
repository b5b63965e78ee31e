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
import java.util.List;
import java.util.SplittableRandom;

/**
 * Builds one synthetic convnet (see {@link ModelRecipe}) and exports it as a SavedModel with a
 * {@code serving_default} signature: input {@code input} [batch, h, w, c] float32, output
 * {@code output} [batch, dense] softmax scores. Weights are seeded random constants: a constant
 * graph needs no variable restore, and compute, not accuracy, is what the demo variants differ by.
 */
final class ConvNetBuilder {

    static final String INPUT = "input";
    static final String OUTPUT = "output";

    private ConvNetBuilder() {
    }

    static void export(ModelRecipe recipe, TensorSpec input, Path dir) throws IOException {
        if (input.shape().size() != 3 || !TensorSpec.FLOAT32.equals(input.dtype())) {
            throw new IllegalArgumentException("the demo convnets take a float32 [height, width, channels] input, not "
                    + input.dtype() + " " + input.shape());
        }
        SplittableRandom random = new SplittableRandom(recipe.seed());
        try (Graph graph = new Graph(); Session session = new Session(graph)) {
            Ops tf = Ops.create(graph);
            Placeholder<TFloat32> x = tf.withName(INPUT).placeholder(TFloat32.class,
                    Placeholder.shape(Shape.of(-1, input.shape().get(0), input.shape().get(1), input.shape().get(2))));
            Operand<TFloat32> h = x;
            long channels = input.shape().get(2);
            for (int width : recipe.conv()) {
                Operand<TFloat32> filter = heNormal(tf, random, Shape.of(3, 3, channels, width), 9 * channels);
                h = tf.nn.conv2d(h, filter, List.of(1L, 1L, 1L, 1L), "SAME");
                h = tf.nn.relu(tf.nn.biasAdd(h, tf.constant(Shape.of(width), DataBuffers.of(new float[width], true, false))));
                h = tf.nn.maxPool(h, tf.constant(new int[] {1, 2, 2, 1}), tf.constant(new int[] {1, 2, 2, 1}), "SAME");
                channels = width;
            }
            Operand<TFloat32> pooled = tf.math.mean(h, tf.constant(new int[] {1, 2}));
            Operand<TFloat32> logits = tf.linalg.matMul(pooled, heNormal(tf, random, Shape.of(channels, recipe.dense()), channels));
            Operand<TFloat32> scores = tf.withName(OUTPUT).nn.softmax(logits);
            Signature signature = Signature.builder().key(Signature.DEFAULT_KEY).input(INPUT, x).output(OUTPUT, scores).build();
            SavedModelBundle.exporter(dir.toString()).withFunction(SessionFunction.create(signature, session)).export();
        }
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
}
