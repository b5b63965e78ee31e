package io.jigsaw.models;

import io.jigsaw.core.graph.ModelRecipe;
import io.jigsaw.core.graph.TensorSpec;
import io.jigsaw.core.image.CropBoxes;
import io.jigsaw.core.scene.Scene;
import io.jigsaw.core.scene.SceneGenerator;
import io.jigsaw.core.scene.SceneObject;
import io.jigsaw.core.scene.Scoring;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.SessionFunction;
import org.tensorflow.Signature;
import org.tensorflow.framework.optimizers.Adam;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.math.Mean;
import org.tensorflow.op.random.TruncatedNormal;
import org.tensorflow.types.TFloat32;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntConsumer;

/**
 * Trains one variant of the demo graph on the synthetic XR scenes with TF Java (graph mode, Adam,
 * gradients from {@code Graph.addGradients}), measures it on the test split with its task's
 * metric, and exports it with the same serving signature as an untrained recipe's. What STACK.md
 * found holds here: one-hot labels with softmax cross-entropy (the sparse loss has no gradient in
 * TF 2.10), weights initialised by hand (He-normal), and no bit-reproducibility across runs.
 */
final class TrainedModels {

    /** What the test split said of a trained variant. */
    record Measured(double accuracy, String metric, int samples, double trainSeconds, double finalLoss) {
    }

    private static final int BATCH = 32;
    private static final float LEARNING_RATE = 0.003f;
    private static final int TEST_SAMPLES = 400;
    /** Training data differs per variant (its own seed), the test split is the same for all. */
    private static final long TEST_SEED = 42;
    /** A join trains on this many scenes' upstream answers (drawn from with replacement); the variants share them. */
    private static final int JOIN_POOL = 6000;
    private static final long JOIN_POOL_SEED = 40;

    private TrainedModels() {
    }

    /** How the job takes a detector's boxes (the crop inputs' lowest {@code min_score} and their {@code max}): it is judged so. */
    record Detections(double minScore, int max) {
    }

    /** A join's examples from the pipeline's upstream models ({@link UpstreamJoins}): a pool to train on and the test split. */
    record JoinExamples(SceneBatches.Batch train, SceneBatches.Batch test, String upstream) {
    }

    /** A join's training pool and test split through the upstream models (the test split's scenes are the detector's). */
    static JoinExamples joinExamples(UpstreamJoins upstream) {
        return new JoinExamples(upstream.examples(new SceneBatches(JOIN_POOL_SEED, SceneGenerator.Split.TRAIN).scenes(JOIN_POOL)),
                upstream.examples(new SceneBatches(TEST_SEED, SceneGenerator.Split.TEST).scenes(TEST_SAMPLES)), upstream.describe());
    }

    /**
     * @param detections how a detector's boxes are taken (detectors only)
     * @param joins a join's examples (for an {@code mlp}); null otherwise
     * @param progress told the step number as training goes
     */
    static Measured train(ModelRecipe recipe, TensorSpec input, Path dir, Detections detections, JoinExamples joins,
            IntConsumer progress) throws IOException {
        if (recipe.kind().equals("mlp") && joins == null) {
            throw new IllegalArgumentException("a trained mlp learns a join's input from the models above it; give it a join: input");
        }
        try (Graph graph = new Graph(); Session session = new Session(graph)) {
            Ops tf = Ops.create(graph);
            Net net = new Net(tf, recipe.seed());
            Placeholder<TFloat32> x = RecipeModels.input(tf, input);
            Model model = switch (recipe.kind()) {
                case "detector" -> detector(tf, net, recipe, x, input);
                case "regressor" -> regressor(tf, net, recipe, x, input);
                case "mlp" -> classifier(tf, net, net.hidden(recipe, x), recipe.dense(), recipe.dense());
                default -> classifier(tf, net, net.pooled(net.trunk(recipe, x, input)), recipe.dense(), SceneGenerator.LABELS.size() + 1);
            };
            Op train = new Adam(graph, LEARNING_RATE).minimize(model.loss(), "train");
            session.initialize();

            SceneBatches data = new SceneBatches(recipe.seed(), SceneGenerator.Split.TRAIN);
            SplittableRandom draw = new SplittableRandom(recipe.seed());
            long start = System.nanoTime();
            float loss = Float.NaN;
            for (int step = 1; step <= recipe.trainSteps(); step++) {
                SceneBatches.Batch b = recipe.kind().equals("mlp") ? sample(joins.train(), BATCH, draw) : batch(recipe, data, input, BATCH);
                loss = run(session, model, x, b, train);
                progress.accept(step);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            Measured measured = evaluate(session, recipe, model, x, input, detections, joins, seconds, loss);

            Signature.Builder signature = Signature.builder().key(Signature.DEFAULT_KEY).input(RecipeModels.INPUT, x);
            model.outputs().forEach((name, out) -> signature.output(name, out));
            SavedModelBundle.exporter(dir.toString()).withFunction(SessionFunction.create(signature.build(), session)).export();
            return measured;
        }
    }

    /** A graph's trainable network: the serving outputs, the loss, and the target placeholders it trains on. */
    private record Model(java.util.Map<String, Operand<TFloat32>> outputs, Operand<TFloat32> loss, Placeholder<TFloat32> targets,
            Placeholder<TFloat32> mask) {
    }

    private static SceneBatches.Batch batch(ModelRecipe recipe, SceneBatches data, TensorSpec input, int n) {
        return recipe.detects() ? data.frames(n, recipe.grid()) : data.crops(n, input.shape().get(0), input.shape().get(1));
    }

    /** n examples drawn from a pool (with replacement). */
    private static SceneBatches.Batch sample(SceneBatches.Batch pool, int n, SplittableRandom draw) {
        int in = pool.inputs().length / pool.size();
        int out = pool.targets().length / pool.size();
        float[] x = new float[n * in];
        float[] y = new float[n * out];
        for (int i = 0; i < n; i++) {
            int k = draw.nextInt(pool.size());
            System.arraycopy(pool.inputs(), k * in, x, i * in, in);
            System.arraycopy(pool.targets(), k * out, y, i * out, out);
        }
        return new SceneBatches.Batch(n, x, y, null);
    }

    private static float run(Session session, Model model, Placeholder<TFloat32> x, SceneBatches.Batch b, Op train) {
        try (TFloat32 in = tensor(b.inputs(), b.size(), x.shape());
             TFloat32 y = tensor(b.targets(), b.size(), model.targets().shape());
             TFloat32 m = b.mask() == null ? null : tensor(b.mask(), b.size(), model.mask().shape())) {
            Session.Runner r = session.runner().feed(x, in).feed(model.targets(), y);
            if (model.mask() != null) {
                r.feed(model.mask(), m);
            }
            try (Result result = r.addTarget(train).fetch(model.loss()).run()) {
                return ((TFloat32) result.get(0)).getFloat();
            }
        }
    }

    private static TFloat32 tensor(float[] values, int n, Shape shapeWithBatch) {
        long[] dims = shapeWithBatch.asArray().clone();
        dims[0] = n;
        return TFloat32.tensorOf(Shape.of(dims), DataBuffers.of(values, true, false));
    }

    /** Runs the model's outputs on inputs; per output, the values flat. */
    private static java.util.Map<String, float[]> predict(Session session, Model model, Placeholder<TFloat32> x, float[] inputs, int n) {
        java.util.Map<String, float[]> out = new java.util.LinkedHashMap<>();
        try (TFloat32 in = tensor(inputs, n, x.shape())) {
            Session.Runner r = session.runner().feed(x, in);
            List<String> names = new ArrayList<>(model.outputs().keySet());
            names.forEach(name -> r.fetch(model.outputs().get(name)));
            try (Result result = r.run()) {
                for (int i = 0; i < names.size(); i++) {
                    TFloat32 t = (TFloat32) result.get(i);
                    float[] v = new float[(int) t.size()];
                    t.read(DataBuffers.of(v, false, false));
                    out.put(names.get(i), v);
                }
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- evaluation on the test split

    private static Measured evaluate(Session session, ModelRecipe recipe, Model model, Placeholder<TFloat32> x, TensorSpec input,
            Detections detections, JoinExamples joins, double seconds, float loss) {
        SceneBatches test = new SceneBatches(TEST_SEED, SceneGenerator.Split.TEST);
        switch (recipe.kind()) {
            case "detector" -> {
                List<Scene> scenes = test.scenes(TEST_SAMPLES);
                java.util.Map<String, float[]> out = predict(session, model, x, SceneBatches.stack(scenes), scenes.size());
                int cells = recipe.grid() * recipe.grid();
                int tp = 0;
                int predicted = 0;
                int truths = 0;
                for (int i = 0; i < scenes.size(); i++) {
                    List<float[]> boxes = CropBoxes.select(java.util.Arrays.copyOfRange(out.get("scores"), i * cells, (i + 1) * cells),
                            java.util.Arrays.copyOfRange(out.get("boxes"), i * cells * 4, (i + 1) * cells * 4), detections.minScore(),
                            detections.max(), SceneGenerator.SIZE, SceneGenerator.SIZE, reason -> { }).stream().map(CropBoxes.Taken::box).toList();
                    Scoring.Matching m = Scoring.match(boxes, Scoring.boxes(scenes.get(i).objects()));
                    tp += m.truePositives();
                    predicted += boxes.size();
                    truths += scenes.get(i).objects().size();
                }
                double f1 = predicted + truths == 0 ? 1 : 2.0 * tp / (predicted + truths);
                return new Measured(f1, "detection F1 at IoU " + Scoring.IOU + " (score >= " + detections.minScore() + ", the best "
                        + detections.max() + ")", scenes.size(), seconds, loss);
            }
            case "regressor" -> {
                SceneBatches.Batch b = test.crops(TEST_SAMPLES, input.shape().get(0), input.shape().get(1));
                float[] v = predict(session, model, x, b.inputs(), b.size()).get("value");
                int classes = SceneGenerator.LABELS.size();
                int right = 0;
                for (int i = 0; i < b.size(); i++) {
                    right += Scoring.within(v[i], b.targets()[i * (classes + 1) + classes]) ? 1 : 0;
                }
                return new Measured(right / (double) b.size(), "distance within " + Scoring.DISTANCE_TOLERANCE + " m", b.size(), seconds, loss);
            }
            case "mlp" -> {
                SceneBatches.Batch b = joins.test();
                return new Measured(top1(predict(session, model, x, b.inputs(), b.size()).get("probabilities"), b, recipe.dense(), recipe.dense()),
                        "top-1 of the scene's answer (the nearest object's label, or none) from the answers of " + joins.upstream(),
                        b.size(), seconds, loss);
            }
            default -> {
                SceneBatches.Batch b = test.crops(TEST_SAMPLES, input.shape().get(0), input.shape().get(1));
                return new Measured(top1(predict(session, model, x, b.inputs(), b.size()).get("probabilities"), b, recipe.dense(),
                        SceneGenerator.LABELS.size() + 1), "top-1 label of crops at the true boxes", b.size(), seconds, loss);
            }
        }
    }

    private static double top1(float[] probabilities, SceneBatches.Batch b, int classes, int targetWidth) {
        int right = 0;
        for (int i = 0; i < b.size(); i++) {
            float[] p = java.util.Arrays.copyOfRange(probabilities, i * classes, (i + 1) * classes);
            float[] t = java.util.Arrays.copyOfRange(b.targets(), i * targetWidth, i * targetWidth + classes);
            right += Scoring.argmax(p) == Scoring.argmax(t) ? 1 : 0;
        }
        return right / (double) b.size();
    }

    // ---------------------------------------------------------------- networks

    /**
     * A detector: per grid cell an objectness logit and a box around the cell's centre (offset and
     * size learnt); trained with binary cross-entropy on objectness and squared error on the boxes
     * of the cells that hold an object.
     */
    private static Model detector(Ops tf, Net net, ModelRecipe recipe, Operand<TFloat32> x, TensorSpec input) {
        int g = recipe.grid();
        Net.Trunk t = net.trunk(recipe, x, input);
        long side = t.side();
        if (side % g != 0) {
            throw new IllegalArgumentException("a trained detector's trunk must come down to a multiple of its grid: " + side + " vs " + g);
        }
        Operand<TFloat32> cells = tf.nn.avgPool(t.features(), List.of(1L, side / g, side / g, 1L), List.of(1L, side / g, side / g, 1L), "VALID");
        Operand<TFloat32> logits = tf.reshape(net.conv1x1(cells, t.channels(), 1), tf.constant(new int[] {-1, g * g}));
        Operand<TFloat32> raw = tf.reshape(net.conv1x1(cells, t.channels(), 4), tf.constant(new int[] {-1, g * g, 4}));
        List<Operand<TFloat32>> parts = new ArrayList<>();
        tf.split(tf.constant(2), raw, 4L).forEach(o -> parts.add((Operand<TFloat32>) o));
        float[] centres = new float[g * g * 2];
        for (int c = 0; c < g * g; c++) {
            centres[2 * c] = (c % g + 0.5f) / g;
            centres[2 * c + 1] = (c / g + 0.5f) / g;
        }
        List<Operand<TFloat32>> xy = new ArrayList<>();
        tf.split(tf.constant(1), tf.constant(Shape.of(g * g, 2), DataBuffers.of(centres, true, false)), 2L)
                .forEach(o -> xy.add((Operand<TFloat32>) o));
        Operand<TFloat32> reach = tf.constant(0.5f / g);
        Operand<TFloat32> cx = tf.math.add(xy.get(0), tf.math.mul(tf.math.tanh(parts.get(0)), reach));
        Operand<TFloat32> cy = tf.math.add(xy.get(1), tf.math.mul(tf.math.tanh(parts.get(1)), reach));
        Operand<TFloat32> halfW = tf.math.mul(tf.math.sigmoid(parts.get(2)), tf.constant(0.35f));
        Operand<TFloat32> halfH = tf.math.mul(tf.math.sigmoid(parts.get(3)), tf.constant(0.35f));
        Operand<TFloat32> boxes = tf.concat(List.of(tf.math.sub(cx, halfW), tf.math.sub(cy, halfH), tf.math.add(cx, halfW),
                tf.math.add(cy, halfH)), tf.constant(2));

        Placeholder<TFloat32> targets = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, g * g, 5)));
        Placeholder<TFloat32> mask = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, g * g)));
        List<Operand<TFloat32>> tParts = new ArrayList<>();
        tf.split(tf.constant(2), targets, 5L).forEach(o -> tParts.add((Operand<TFloat32>) o));
        Operand<TFloat32> objectness = tf.reshape(tParts.get(0), tf.constant(new int[] {-1, g * g}));
        Operand<TFloat32> trueBoxes = tf.concat(tParts.subList(1, 5), tf.constant(2));
        // Binary cross-entropy from logits, written with ops that have gradients: max(l, 0) - l·z + log(1 + e^-|l|).
        Operand<TFloat32> bce = tf.math.add(tf.math.sub(tf.nn.relu(logits), tf.math.mul(logits, objectness)),
                tf.math.log1p(tf.math.exp(tf.math.neg(tf.math.abs(logits)))));
        Operand<TFloat32> boxError = tf.sum(tf.math.square(tf.math.sub(boxes, trueBoxes)), tf.constant(2));
        Operand<TFloat32> boxLoss = tf.math.div(tf.sum(tf.math.mul(boxError, mask), tf.constant(new int[] {0, 1})),
                tf.math.maximum(tf.sum(mask, tf.constant(new int[] {0, 1})), tf.constant(1f)));
        Operand<TFloat32> loss = tf.math.add(tf.math.mean(bce, tf.constant(new int[] {0, 1})), tf.math.mul(boxLoss, tf.constant(20f)));
        java.util.Map<String, Operand<TFloat32>> outputs = new java.util.LinkedHashMap<>();
        outputs.put("scores", tf.math.sigmoid(logits));
        outputs.put("boxes", boxes);
        return new Model(outputs, loss, targets, mask);
    }

    /** A regressor of distance: softplus of a dense layer on the pooled trunk, squared error. */
    private static Model regressor(Ops tf, Net net, ModelRecipe recipe, Operand<TFloat32> x, TensorSpec input) {
        Operand<TFloat32> value = tf.math.softplus(net.dense(net.pooled(net.trunk(recipe, x, input)), recipe.dense()));
        int classes = SceneGenerator.LABELS.size();
        Placeholder<TFloat32> targets = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, classes + 1)));
        List<Operand<TFloat32>> parts = new ArrayList<>();
        tf.split(tf.constant(1), targets, (long) classes + 1).forEach(o -> parts.add((Operand<TFloat32>) o));
        Operand<TFloat32> distance = parts.get(classes);
        Operand<TFloat32> loss = tf.math.mean(tf.math.square(tf.math.sub(value, distance)), tf.constant(new int[] {0, 1}));
        return new Model(java.util.Map.of("value", value), loss, targets, null);
    }

    /**
     * A classifier: softmax over a dense layer; softmax cross-entropy against one-hot targets (the first
     * {@code classes} of each {@code targetWidth}-wide target row).
     */
    private static Model classifier(Ops tf, Net net, Net.Features features, int classes, int targetWidth) {
        Operand<TFloat32> logits = net.dense(features, classes);
        Placeholder<TFloat32> targets = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, targetWidth)));
        Operand<TFloat32> labels = tf.slice(targets, tf.constant(new int[] {0, 0}), tf.constant(new int[] {-1, classes}));
        Operand<TFloat32> loss = tf.math.mean(tf.nn.softmaxCrossEntropyWithLogits(logits, labels).loss(), tf.constant(0));
        return new Model(java.util.Map.of("probabilities", tf.nn.softmax(logits)), loss, targets, null);
    }

    /** Layers with trainable weights, He-normal initialised in the init scope. */
    private static final class Net {
        record Trunk(Operand<TFloat32> features, long channels, long side) {
        }

        record Features(Operand<TFloat32> vector, long size) {
        }

        private final Ops tf;
        private long seed;

        Net(Ops tf, long seed) {
            this.tf = tf;
            this.seed = seed * 1000;
        }

        Trunk trunk(ModelRecipe recipe, Operand<TFloat32> x, TensorSpec input) {
            Operand<TFloat32> h = x;
            long channels = input.shape().get(2);
            long side = input.shape().get(0);
            for (int width : recipe.conv()) {
                h = tf.nn.conv2d(h, weight(Shape.of(3, 3, channels, width), 9 * channels), List.of(1L, 1L, 1L, 1L), "SAME");
                h = tf.nn.relu(tf.nn.biasAdd(h, bias(width)));
                h = tf.nn.maxPool(h, tf.constant(new int[] {1, 2, 2, 1}), tf.constant(new int[] {1, 2, 2, 1}), "SAME");
                channels = width;
                side = (side + 1) / 2;
            }
            return new Trunk(h, channels, side);
        }

        Features pooled(Trunk t) {
            return new Features(tf.math.mean(t.features(), tf.constant(new int[] {1, 2})), t.channels());
        }

        Features hidden(ModelRecipe recipe, Operand<TFloat32> x) {
            Features h = new Features(x, x.shape().size(1));
            for (int width : recipe.hidden()) {
                h = new Features(tf.nn.relu(dense(h, width)), width);
            }
            return h;
        }

        Operand<TFloat32> dense(Features in, int out) {
            return tf.math.add(tf.linalg.matMul(in.vector(), weight(Shape.of(in.size(), out), in.size())), bias(out));
        }

        Operand<TFloat32> conv1x1(Operand<TFloat32> in, long channels, int out) {
            return tf.nn.biasAdd(tf.nn.conv2d(in, weight(Shape.of(1, 1, channels, out), channels), List.of(1L, 1L, 1L, 1L), "SAME"),
                    bias(out));
        }

        private Operand<TFloat32> weight(Shape shape, long fanIn) {
            Ops init = tf.withInitScope();
            return tf.variable(init.math.mul(init.random.truncatedNormal(init.constant(shape.asArray()), TFloat32.class,
                    TruncatedNormal.seed(++seed)), init.constant((float) Math.sqrt(2.0 / fanIn))));
        }

        private Operand<TFloat32> bias(int n) {
            Ops init = tf.withInitScope();
            return tf.variable(init.zeros(init.constant(new long[] {n}), TFloat32.class));
        }
    }
}
