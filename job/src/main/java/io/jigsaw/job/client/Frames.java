package io.jigsaw.job.client;

import io.jigsaw.core.graph.TensorSpec;
import io.jigsaw.core.scene.Scene;
import io.jigsaw.core.scene.SceneGenerator;
import io.jigsaw.core.scene.SceneObject;
import io.jigsaw.schemas.Request;
import io.jigsaw.schemas.Tensor;
import io.jigsaw.schemas.Truth;
import io.jigsaw.schemas.TruthObject;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Camera frames shaped as a graph's input: what the demo's "XR headset" sends. Scenes (the synthetic
 * XR scenes the demo's variants were trained on, from their test split, with their truth) for a graph
 * that takes 64×64×3 frames; noise otherwise.
 */
public final class Frames {

    private Frames() {
    }

    /** Whether {@link #scene} can make this graph's frames. */
    public static boolean scenesFit(TensorSpec spec) {
        return spec.shape().equals(List.of(SceneGenerator.SIZE, SceneGenerator.SIZE, 3)) && TensorSpec.FLOAT32.equals(spec.dtype());
    }

    /** A synthetic XR scene (deterministic per seed) and its truth: labels, boxes, distances. */
    public static Request scene(String id, String graph, TensorSpec spec, long eventTimeMs, long deadlineMs, long seed) {
        return scene(id, graph, spec, eventTimeMs, deadlineMs, new SceneGenerator(seed, SceneGenerator.Split.TEST).next());
    }

    /** How a scene's frame travels: as the graph's tensor, or as a picture the job decodes. */
    public enum Encoding {
        RAW, PNG, JPEG;

        /** The content type of its pictures (none for RAW). */
        String contentType() {
            return this == PNG ? "image/png" : "image/jpeg";
        }
    }

    /** A synthetic scene (deterministic per seed) with its truth, its frame sent as {@code encoding} says. */
    public static Request scene(String id, String graph, TensorSpec spec, long eventTimeMs, long deadlineMs, long seed, Encoding encoding) {
        Scene scene = new SceneGenerator(seed, SceneGenerator.Split.TEST).next();
        if (encoding == Encoding.RAW) {
            return scene(id, graph, spec, eventTimeMs, deadlineMs, scene);
        }
        return encoded(id, graph, eventTimeMs, deadlineMs, encoding.contentType(), encode(image(scene), encoding))
                .setTruth(truth(scene)).build();
    }

    /** A scene's frame as a picture (8 bits per channel: what a camera gives). */
    public static java.awt.image.BufferedImage image(Scene scene) {
        java.awt.image.BufferedImage out = new java.awt.image.BufferedImage(scene.size(), scene.size(),
                java.awt.image.BufferedImage.TYPE_INT_RGB);
        float[] f = scene.frame();
        for (int y = 0; y < scene.size(); y++) {
            for (int x = 0; x < scene.size(); x++) {
                int i = (y * scene.size() + x) * 3;
                out.setRGB(x, y, (Math.round(f[i] * 255) << 16) | (Math.round(f[i + 1] * 255) << 8) | Math.round(f[i + 2] * 255));
            }
        }
        return out;
    }

    /** A picture's file bytes in the encoding (PNG or JPEG at ImageIO's default quality). */
    public static byte[] encode(java.awt.image.BufferedImage image, Encoding encoding) {
        try {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            javax.imageio.ImageIO.write(image, encoding == Encoding.PNG ? "png" : "jpeg", out);
            return out.toByteArray();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Truth truth(Scene scene) {
        List<TruthObject> objects = new ArrayList<>();
        for (SceneObject o : scene.objects()) {
            List<Float> box = List.of(o.box()[0], o.box()[1], o.box()[2], o.box()[3]);
            objects.add(new TruthObject(SceneGenerator.LABELS.get(o.label()), box, o.distance()));
        }
        return new Truth(objects);
    }

    /** This scene's frame with its truth. */
    public static Request scene(String id, String graph, TensorSpec spec, long eventTimeMs, long deadlineMs, Scene scene) {
        ByteBuffer data = ByteBuffer.allocate(scene.frame().length * 4).order(ByteOrder.LITTLE_ENDIAN);
        data.asFloatBuffer().put(scene.frame());
        return builder(id, graph, spec, eventTimeMs, deadlineMs, data).setTruth(truth(scene)).build();
    }

    public static Request request(String id, String graph, TensorSpec spec, long eventTimeMs, long deadlineMs, long seed) {
        ByteBuffer data = ByteBuffer.allocate((int) spec.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        SplittableRandom random = new SplittableRandom(seed);
        while (data.hasRemaining()) {
            data.putFloat((float) random.nextDouble());
        }
        data.flip();
        return builder(id, graph, spec, eventTimeMs, deadlineMs, data).build();
    }

    /** A request carrying its frame as an encoded picture (JPEG, PNG) for the job to decode ({@code deadlineMs} 0: event time + the SLO). */
    public static Request.Builder encoded(String id, String graph, long eventTimeMs, long deadlineMs, String contentType, byte[] data) {
        return Request.newBuilder().setRequestId(id).setGraph(graph).setEventTimeMs(eventTimeMs).setDeadlineMs(deadlineMs)
                .setImage(io.jigsaw.schemas.EncodedImage.newBuilder().setContentType(contentType).setData(ByteBuffer.wrap(data)).build());
    }

    /** A request carrying {@code data} as the graph's input tensor ({@code deadlineMs} 0: event time + the graph's SLO). */
    public static Request.Builder builder(String id, String graph, TensorSpec spec, long eventTimeMs, long deadlineMs, ByteBuffer data) {
        return Request.newBuilder().setRequestId(id).setGraph(graph).setEventTimeMs(eventTimeMs).setDeadlineMs(deadlineMs)
                .setPayload(Tensor.newBuilder().setData(data).setShape(spec.shape()).setDtype(spec.dtype()).build());
    }
}
