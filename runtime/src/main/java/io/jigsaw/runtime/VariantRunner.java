package io.jigsaw.runtime;

import io.jigsaw.core.graph.Graph;

import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs one batch through one variant of one task. The job uses {@link DjlVariantRunner} (DJL on
 * the TensorFlow engine); operator tests use a recording runner to specify batching exactly.
 * Not thread-safe: one per operator subtask, opened in {@code open()}, closed in {@code close()}.
 */
public interface VariantRunner extends AutoCloseable {

    /** A variant loaded with a thread budget: one model session (on TensorFlow, its graph and its memory). */
    record Session(String variant, int threads) {
    }

    /** Loads (or keeps loaded) a variant with a thread budget, so the first batch is not slow. */
    void prepare(String variant, int threads) throws Exception;

    /**
     * Closes every loaded session not in {@code keep}, so a job that switches plans for days holds only what the
     * plans in force and recently in force use. A runner that loads nothing has nothing to close.
     */
    default void retain(Set<Session> keep) {
    }

    /** How many sessions are loaded now; read by the metrics thread. */
    default int sessionsHeld() {
        return 0;
    }

    /**
     * @param inputs the batch's items, float32 row-major little-endian bytes
     * @param itemShape one item's shape (without the batch axis), where the model leaves it open
     * @return per input, in input order, the model's named outputs, each flattened row-major
     */
    List<Map<String, float[]>> predict(String variant, int threads, List<byte[]> inputs, int[] itemShape) throws Exception;

    @Override
    void close();

    /** Shipped to the cluster with the operator, so it must be serialisable. */
    interface Factory extends Serializable {
        VariantRunner open(Graph graph, String task);
    }
}
