package io.jigsaw.job.demo;

import io.jigsaw.core.graph.TensorSpec;
import io.jigsaw.schemas.Request;
import io.jigsaw.schemas.Tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

/** Synthetic camera frames shaped as a graph's input: what the demo's "XR headset" sends. */
public final class Frames {

    private Frames() {
    }

    public static Request request(String id, String graph, TensorSpec spec, long eventTimeMs, long deadlineMs, long seed) {
        ByteBuffer data = ByteBuffer.allocate((int) spec.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        SplittableRandom random = new SplittableRandom(seed);
        while (data.hasRemaining()) {
            data.putFloat((float) random.nextDouble());
        }
        data.flip();
        return Request.newBuilder()
                .setRequestId(id)
                .setGraph(graph)
                .setEventTimeMs(eventTimeMs)
                .setDeadlineMs(deadlineMs)
                .setPayload(Tensor.newBuilder().setData(data).setShape(spec.shape()).setDtype(spec.dtype()).build())
                .build();
    }
}
