package io.jigsaw.operators;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * float32 tensors as the bytes pieces carry (row-major, little-endian, as in the Avro {@code Tensor}).
 */
final class Tensors {

    private Tensors() {
    }

    static byte[] bytes(float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return b.array();
    }

    static float[] floats(byte[] bytes) {
        float[] out = new float[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }

}
