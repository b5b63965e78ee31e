package io.jigsaw.operators;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.GraphLoader;

import java.nio.file.Path;

/** The demo graph of examples/, with its models where the build put them (models/target/demo-models). */
public final class DemoGraph {

    private DemoGraph() {
    }

    public static Graph load() {
        return GraphLoader.load(Path.of(System.getProperty("jigsaw.examples.dir"), "xr-scene", "graph.yaml"))
                .withModelsDir(System.getProperty("jigsaw.demo.models.dir"));
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
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(64 * 64 * 3 * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        while (b.hasRemaining()) {
            b.putFloat((float) r.nextDouble());
        }
        return b.array();
    }
}
