package io.jigsaw.operators;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.ModelRecipe;
import io.jigsaw.core.graph.Task;
import io.jigsaw.runtime.VariantRunner;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * A runner that records the batches it is given (variant, thread budget, size) and what each item
 * was, and answers with outputs of the variant recipe's names and shapes: lets the operator tests
 * state exactly how pieces are batched, cropped and joined. The real runner is specified in
 * DjlVariantRunnerTest and runs in the whole-job tests.
 */
final class RecordingRunner implements VariantRunner {

    record Batch(String variant, int threads, int size) {
    }

    /** One item a model was given: its task, variant and input values. */
    record Item(String task, String variant, float[] input) {
    }

    /** Shared by all runners of a test: a harness runs one subtask in one JVM. */
    static final List<Batch> BATCHES = new ArrayList<>();
    static final List<Item> ITEMS = new ArrayList<>();
    /** The sessions "loaded" now, as a real runner would hold them: prepared or run, until not retained. */
    static final Set<Session> LOADED = new LinkedHashSet<>();

    /** How long a batch "runs", so a test can see model time in the latency breakdown. */
    static long predictMs;

    /** A detector's scores per cell for an input frame; by default two objects, cells 0 (0.9) and 5 (0.8). */
    static Function<float[], float[]> detections;

    /** A detector's boxes for an input frame; by default each grid cell's own square. */
    static Function<float[], float[]> boxes;

    private final Task task;

    private RecordingRunner(Task task) {
        this.task = task;
    }

    static VariantRunner.Factory factory() {
        BATCHES.clear();
        ITEMS.clear();
        LOADED.clear();
        predictMs = 0;
        detections = frame -> {
            float[] s = new float[16];
            Arrays.fill(s, 0.1f);
            s[0] = 0.9f;
            s[5] = 0.8f;
            return s;
        };
        boxes = frame -> cellBoxes(4);
        return (Graph graph, String task) -> new RecordingRunner(graph.task(task).orElseThrow());
    }

    @Override
    public void prepare(String variant, int threads) {
        LOADED.add(new Session(variant, threads));
    }

    @Override
    public void retain(Set<Session> keep) {
        LOADED.retainAll(keep);
    }

    @Override
    public int sessionsHeld() {
        return LOADED.size();
    }

    @Override
    public List<Map<String, float[]>> predict(String variant, int threads, List<byte[]> inputs, int[] itemShape)
            throws InterruptedException {
        BATCHES.add(new Batch(variant, threads, inputs.size()));
        LOADED.add(new Session(variant, threads));
        Thread.sleep(predictMs);
        ModelRecipe recipe = task.variant(variant).orElseThrow().recipe().orElse(null);
        List<Map<String, float[]>> out = new ArrayList<>();
        for (byte[] in : inputs) {
            float[] x = Tensors.floats(in);
            ITEMS.add(new Item(task.name(), variant, x));
            Map<String, float[]> o = new LinkedHashMap<>();
            if (recipe == null) {
                o.put("output", new float[] {0.5f});
            } else if (recipe.detects()) {
                o.put("boxes", boxes.apply(x));
                o.put("scores", detections.apply(x));
            } else if (recipe.kind().equals("regressor")) {
                o.put("value", new float[] {mean(x)});
            } else {
                // The input's mean at the first entry, so a test can tell which piece an output came from.
                float[] p = new float[recipe.dense()];
                p[0] = mean(x);
                o.put("probabilities", p);
            }
            out.add(o);
        }
        return out;
    }

    static float[] cellBoxes(int g) {
        float[] b = new float[g * g * 4];
        for (int r = 0; r < g; r++) {
            for (int c = 0; c < g; c++) {
                int i = (r * g + c) * 4;
                b[i] = (float) c / g;
                b[i + 1] = (float) r / g;
                b[i + 2] = (float) (c + 1) / g;
                b[i + 3] = (float) (r + 1) / g;
            }
        }
        return b;
    }

    static float mean(float[] x) {
        double s = 0;
        for (float v : x) {
            s += v;
        }
        return x.length == 0 ? 0 : (float) (s / x.length);
    }

    @Override
    public void close() {
    }
}
