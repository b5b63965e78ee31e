package io.jigsaw.runtime;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.GraphLoader;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.SplittableRandom;

/** The demo graph of examples/, with its models where the build put them (models/target/demo-models), and frames for it. */
public final class DemoModels {

    private DemoModels() {
    }

    public static Graph graph() {
        return GraphLoader.load(Path.of(System.getProperty("jigsaw.examples.dir"), "xr-scene", "graph.yaml"))
                .withModelsDir(System.getProperty("jigsaw.demo.models.dir"));
    }

    /** A frame of the demo's input size, deterministic per seed. */
    public static byte[] frame(long seed) {
        ByteBuffer b = ByteBuffer.allocate(64 * 64 * 3 * 4).order(ByteOrder.LITTLE_ENDIAN);
        SplittableRandom r = new SplittableRandom(seed);
        while (b.hasRemaining()) {
            b.putFloat((float) r.nextDouble());
        }
        return b.array();
    }
}
