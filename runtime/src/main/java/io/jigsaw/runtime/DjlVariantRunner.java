package io.jigsaw.runtime;

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
import ai.djl.tensorflow.engine.SavedModelBundle;
import ai.djl.tensorflow.engine.TfSymbolBlock;
import ai.djl.translate.NoopTranslator;
import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.Task;
import io.jigsaw.core.graph.Variant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.internal.c_api.TF_Session;
import org.tensorflow.internal.c_api.TF_Status;
import org.tensorflow.internal.c_api.global.tensorflow;
import org.tensorflow.proto.framework.ConfigProto;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * DJL {@link Predictor}s on the TensorFlow engine for one task's variants. A partition's share is a
 * thread budget on CPU (TensorFlow's intra-op threads; one inter-op thread since our graphs are a
 * chain of ops), so the same variant at another share is another loaded session: loaded models are
 * kept per (variant, threads), as long as the task operator {@link #retain retains} them (the plans in
 * force and recently in force), so a plan switch back costs no reload and a day of switches holds no
 * more than two plans' sessions.
 */
public final class DjlVariantRunner implements VariantRunner {

    private static final Logger LOG = LoggerFactory.getLogger(DjlVariantRunner.class);

    /** @param session the TensorFlow session inside the model, deleted after it (see {@link #close(Loaded)}); null if unknown */
    private record Loaded(ZooModel<NDList, NDList> model, Predictor<NDList, NDList> predictor, TF_Session session) {
    }

    private final Task task;
    private final Graph graph;
    private final NDManager manager;
    /** Concurrent only so that the metrics thread can read its size; loaded and closed on the operator's thread. */
    private final Map<Session, Loaded> loaded = new ConcurrentHashMap<>();

    private DjlVariantRunner(Graph graph, Task task) {
        this.task = task;
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
        Session key = new Session(variant, threads);
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
        l = new Loaded(model, model.newPredictor(), session(model));
        loaded.put(key, l);
        LOG.info("task {}: loaded variant {} with {} thread(s) from {} in {} ms", task.name(), variant, threads, dir,
                (System.nanoTime() - start) / 1_000_000);
        return l;
    }

    @Override
    public List<Map<String, float[]>> predict(String variant, int threads, List<byte[]> inputs, int[] itemShape) throws Exception {
        Loaded l = get(variant, threads);
        long[] dims = batchShape(l, inputs.size(), itemShape);
        long itemBytes = 4;
        for (int i = 1; i < dims.length; i++) {
            itemBytes *= dims[i];
        }
        ByteBuffer batch = ByteBuffer.allocateDirect((int) itemBytes * inputs.size()).order(ByteOrder.LITTLE_ENDIAN);
        for (byte[] in : inputs) {
            if (in.length != itemBytes) {
                throw new IllegalArgumentException("task " + task.name() + ", variant " + variant + ": an input of " + in.length
                        + " bytes where the model takes " + Arrays.toString(Arrays.copyOfRange(dims, 1, dims.length)) + " float32 ("
                        + itemBytes + " bytes)");
            }
            batch.put(in);
        }
        batch.flip();
        List<Map<String, float[]>> out = new ArrayList<>(inputs.size());
        for (int i = 0; i < inputs.size(); i++) {
            out.add(new LinkedHashMap<>());
        }
        try (NDManager scope = manager.newSubManager()) {
            NDArray x = scope.create(batch, new Shape(dims), DataType.FLOAT32);
            NDList results = l.predictor().predict(new NDList(x));
            for (NDArray r : results) {
                float[] all = r.toType(DataType.FLOAT32, false).toFloatArray();
                int per = all.length / inputs.size();
                for (int i = 0; i < inputs.size(); i++) {
                    out.get(i).put(r.getName(), Arrays.copyOfRange(all, i * per, (i + 1) * per));
                }
            }
            results.close();
        }
        return out;
    }

    /** [batch, item...]: the model's declared input shape where it fixes one, the item's own where it is open (-1). */
    private static long[] batchShape(Loaded l, int batch, int[] itemShape) {
        Shape declared = l.model().describeInput().get(0).getValue();
        long[] dims = new long[declared.dimension() > 1 ? declared.dimension() : itemShape.length + 1];
        dims[0] = batch;
        for (int i = 1; i < dims.length; i++) {
            long d = declared.dimension() > i ? declared.get(i) : -1;
            dims[i] = d > 0 ? d : itemShape[i - 1];
        }
        return dims;
    }

    @Override
    public void retain(Set<Session> keep) {
        loaded.entrySet().removeIf(e -> {
            if (keep.contains(e.getKey())) {
                return false;
            }
            close(e.getValue());
            LOG.info("task {}: closed variant {} with {} thread(s): no plan in force or recently in force uses it",
                    task.name(), e.getKey().variant(), e.getKey().threads());
            return true;
        });
    }

    @Override
    public int sessionsHeld() {
        return loaded.size();
    }

    /**
     * Closes a loaded model and deletes its TensorFlow session. DJL 0.28 loads a SavedModel's session as a raw
     * pointer without a deallocator, so closing the model never deletes the session, and every load and close
     * leaked it (about 4 MB of native memory per cycle for the demo's detectors, measured: RSS grew 271 → 521 MB over
     * 60 cycles; deleting the session here kept it at 263–270 MB). DJL fixed it in 0.29 (deepjavalibrary/djl#3358),
     * whose TensorFlow engine needs TF 2.16 natives that are not on Maven Central (STACK.md); remove this with that
     * upgrade, or a session would be deleted twice.
     */
    private static void close(Loaded l) {
        l.predictor().close();
        l.model().close();
        if (l.session() != null && !l.session().isNull()) {
            try (TF_Status status = TF_Status.newStatus()) {
                tensorflow.TF_CloseSession(l.session(), status);
                tensorflow.TF_DeleteSession(l.session(), status);
            }
        }
    }

    /** The session DJL 0.28 keeps inside the model's block (a private field: no accessor), or null where it is not there. */
    private static TF_Session session(ZooModel<NDList, NDList> model) {
        try {
            java.lang.reflect.Field bundle = TfSymbolBlock.class.getDeclaredField("bundle");
            bundle.setAccessible(true);
            return ((SavedModelBundle) bundle.get(model.getBlock())).getSession();
        } catch (ReflectiveOperationException | ClassCastException | NullPointerException e) {
            LOG.warn("cannot reach the TensorFlow session of {} to delete it when it is closed ({}): each reload may leak it",
                    model.getName(), e.toString());
            return null;
        }
    }

    @Override
    public void close() {
        loaded.values().forEach(DjlVariantRunner::close);
        loaded.clear();
        manager.close();
    }
}
