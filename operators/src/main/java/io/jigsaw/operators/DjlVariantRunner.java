package io.jigsaw.operators;

import ai.djl.MalformedModelException;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.NoopTranslator;
import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.Task;
import io.jigsaw.core.graph.TensorSpec;
import io.jigsaw.core.graph.Variant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.proto.framework.ConfigProto;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * DJL {@link Predictor}s on the TensorFlow engine for one task's variants. A partition's share is a
 * thread budget on CPU (TensorFlow's intra-op threads; one inter-op thread since our graphs are a
 * chain of ops), so the same variant at another share is another loaded session: loaded models are
 * kept per (variant, threads) and a plan switch back and forth costs no reload.
 */
public final class DjlVariantRunner implements VariantRunner {

    private static final Logger LOG = LoggerFactory.getLogger(DjlVariantRunner.class);

    private record Loaded(ZooModel<NDList, NDList> model, Predictor<NDList, NDList> predictor) {
    }

    private final Task task;
    private final TensorSpec input;
    private final Graph graph;
    private final NDManager manager;
    private final Map<String, Loaded> loaded = new HashMap<>();

    private DjlVariantRunner(Graph graph, Task task) {
        this.task = task;
        this.input = graph.input().orElseThrow(() -> new IllegalArgumentException(
                "graph " + graph.name() + " has no input spec; the job needs one to build tensors"));
        this.graph = graph;
        checkNativeSetup();
        this.manager = NDManager.newBaseManager("TensorFlow");
    }

    public static Factory factory() {
        return (graph, task) -> new DjlVariantRunner(graph, graph.task(task).orElseThrow(
                () -> new IllegalArgumentException("no task " + task + " in graph " + graph.name())));
    }

    /** Fails at start, with what to do, instead of DJL trying to download at the first batch. */
    static void checkNativeSetup() {
        String dir = System.getenv("TENSORFLOW_LIBRARY_PATH");
        if (dir == null || !Files.isRegularFile(Path.of(dir, "libtensorflow_cc.so.2"))) {
            throw new IllegalStateException("DJL's TensorFlow native library was not found: TENSORFLOW_LIBRARY_PATH="
                    + dir + ". Run through bin/jigsaw or Maven (they set it to .jigsaw/tf-native/2.10.1 after the build "
                    + "unpacks it), or point it at a directory with libtensorflow_cc.so.2 from "
                    + "ai.djl.tensorflow:tensorflow-native-cpu:2.10.1:linux-x86_64.");
        }
        // DJL must never reach for the network: natives and models are local.
        System.setProperty("offline", "true");
    }

    Path modelPath(String variant) {
        Variant v = task.variant(variant).orElseThrow(() -> new IllegalArgumentException(
                "task " + task.name() + " has no variant " + variant));
        return graph.modelPath(v).orElseThrow(() -> new IllegalArgumentException(
                "variant " + variant + " of task " + task.name() + " names no SavedModel ('model:' in the graph)"));
    }

    @Override
    public void prepare(String variant, int threads) throws IOException, ModelNotFoundException, MalformedModelException {
        get(variant, threads);
    }

    private Loaded get(String variant, int threads) throws IOException, ModelNotFoundException, MalformedModelException {
        String key = variant + "@" + threads;
        Loaded l = loaded.get(key);
        if (l != null) {
            return l;
        }
        Path dir = modelPath(variant);
        if (!Files.isRegularFile(dir.resolve("saved_model.pb"))) {
            throw new ModelNotFoundException("no SavedModel for variant " + variant + " of task " + task.name() + " at "
                    + dir + " (build the demo's with `bin/jigsaw models`)");
        }
        ConfigProto config = ConfigProto.newBuilder()
                .setIntraOpParallelismThreads(threads)
                .setInterOpParallelismThreads(1)
                .build();
        Criteria<NDList, NDList> criteria = Criteria.builder()
                .setTypes(NDList.class, NDList.class)
                .optEngine("TensorFlow")
                .optModelPath(dir)
                .optOption("ConfigProto", Base64.getEncoder().encodeToString(config.toByteArray()))
                .optTranslator(new NoopTranslator())
                .build();
        long start = System.nanoTime();
        ZooModel<NDList, NDList> model = criteria.loadModel();
        l = new Loaded(model, model.newPredictor());
        loaded.put(key, l);
        LOG.info("task {}: loaded variant {} with {} thread(s) from {} in {} ms", task.name(), variant, threads, dir,
                (System.nanoTime() - start) / 1_000_000);
        return l;
    }

    @Override
    public float[] predict(String variant, int threads, List<byte[]> inputs) throws Exception {
        Loaded l = get(variant, threads);
        int itemBytes = (int) input.bytes();
        ByteBuffer batch = ByteBuffer.allocateDirect(itemBytes * inputs.size()).order(ByteOrder.LITTLE_ENDIAN);
        for (byte[] in : inputs) {
            batch.put(in);
        }
        batch.flip();
        long[] dims = new long[input.shape().size() + 1];
        dims[0] = inputs.size();
        for (int i = 0; i < input.shape().size(); i++) {
            dims[i + 1] = input.shape().get(i);
        }
        try (NDManager scope = manager.newSubManager()) {
            NDArray x = scope.create(batch, new Shape(dims), DataType.FLOAT32);
            NDList out = l.predictor().predict(new NDList(x));
            NDArray scores = out.get(0);
            float[] top = scores.max(new int[] {1}).toFloatArray();
            out.close();
            return top;
        }
    }

    @Override
    public void close() {
        loaded.values().forEach(l -> {
            l.predictor().close();
            l.model().close();
        });
        loaded.clear();
        manager.close();
    }
}
