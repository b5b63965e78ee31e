package io.jigsaw.operators;

import io.jigsaw.core.graph.Graph;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A runner that records the batches it is given (variant, thread budget, size): lets the operator
 * tests state exactly how pieces are batched. The real runner is specified in DjlVariantRunnerTest
 * and runs in the whole-job test.
 */
final class RecordingRunner implements VariantRunner {

    record Batch(String variant, int threads, int size) {
    }

    /** Shared by all runners of a test: a harness runs one subtask in one JVM. */
    static final List<Batch> BATCHES = new ArrayList<>();

    /** How long a batch "runs", so a test can see model time in the latency breakdown. */
    static long predictMs;

    static VariantRunner.Factory factory() {
        BATCHES.clear();
        predictMs = 0;
        return (Graph graph, String task) -> new RecordingRunner();
    }

    @Override
    public void prepare(String variant, int threads) {
    }

    @Override
    public float[] predict(String variant, int threads, List<byte[]> inputs) throws InterruptedException {
        BATCHES.add(new Batch(variant, threads, inputs.size()));
        Thread.sleep(predictMs);
        float[] scores = new float[inputs.size()];
        Arrays.fill(scores, 0.5f);
        return scores;
    }

    @Override
    public void close() {
    }
}
