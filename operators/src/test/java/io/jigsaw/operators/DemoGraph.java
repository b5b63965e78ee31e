package io.jigsaw.operators;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.runtime.DemoModels;

/** The demo graph and its frames ({@link DemoModels}), and pieces of its requests. */
public final class DemoGraph {

    private DemoGraph() {
    }

    public static Graph load() {
        return DemoModels.graph();
    }

    /** A piece of a demo request, as the decoder makes it (no payload yet). */
    public static Piece piece(String requestId, long deadlineMs) {
        Piece p = new Piece();
        p.requestId = requestId;
        p.graph = "xr-scene";
        p.eventTimeMs = 1;
        p.deadlineMs = deadlineMs;
        return p;
    }

    /** A frame of the demo's input size, deterministic per seed. */
    public static byte[] frame(long seed) {
        return DemoModels.frame(seed);
    }
}
