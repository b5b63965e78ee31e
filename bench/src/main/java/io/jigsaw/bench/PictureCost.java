package io.jigsaw.bench;

import io.jigsaw.core.graph.TensorSpec;
import io.jigsaw.core.image.Pictures;
import io.jigsaw.core.scene.Scene;
import io.jigsaw.core.scene.SceneGenerator;
import io.jigsaw.job.client.Frames;
import io.jigsaw.operators.RequestDecoder;
import io.jigsaw.schemas.AvroBytes;

import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a request costs when its frame travels encoded: the record's bytes (raw tensor against PNG and
 * JPEG of the same scene, and a Full HD JPEG of it) and the job's CPU to decode it into the graph's
 * frame ({@link Pictures#decode}, the request decoder's step), measured as this thread's CPU time over
 * many decodes after a warm-up.
 */
final class PictureCost {

    private PictureCost() {
    }

    static void print(String graph, TensorSpec spec, int decodes) throws IOException, Pictures.Refused {
        Scene scene = new SceneGenerator(7, SceneGenerator.Split.TEST).next();
        BufferedImage frame = Frames.image(scene);
        Map<String, byte[]> pictures = new LinkedHashMap<>();
        pictures.put("64x64 PNG", Frames.encode(frame, Frames.Encoding.PNG));
        pictures.put("64x64 JPEG", Frames.encode(frame, Frames.Encoding.JPEG));
        pictures.put("1920x1080 JPEG (the scene scaled up)", Frames.encode(scaled(frame, 1920, 1080), Frames.Encoding.JPEG));
        pictures.put("1920x1080 PNG (the scene scaled up)", Frames.encode(scaled(frame, 1920, 1080), Frames.Encoding.PNG));
        long now = System.currentTimeMillis();
        int raw = AvroBytes.encode(Frames.scene("cost", graph, spec, now, 0, scene)).length;
        System.out.printf("request record with its frame as the graph's tensor (%s %s): %d bytes, nothing to decode%n", spec.dtype(),
                spec.shape(), raw);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (Map.Entry<String, byte[]> p : pictures.entrySet()) {
            String type = p.getKey().contains("PNG") ? "image/png" : "image/jpeg";
            int record = AvroBytes.encode(Frames.encoded("cost", graph, now, 0, type, p.getValue()).build()).length;
            if (p.getValue().length > RequestDecoder.DEFAULT_IMAGE_LIMITS.maxBytes()) {
                System.out.printf("request record with a %-38s %8d bytes: over the default jigsaw.requests.max-image-bytes (%d), a dead"
                        + " letter%n", p.getKey() + ":", record, RequestDecoder.DEFAULT_IMAGE_LIMITS.maxBytes());
                continue;
            }
            int rounds = p.getKey().startsWith("1920") ? Math.max(20, decodes / 20) : decodes;
            for (int i = 0; i < rounds / 2; i++) {
                Pictures.decode(p.getValue(), type, spec, RequestDecoder.DEFAULT_IMAGE_LIMITS);
            }
            long cpu = threads.getCurrentThreadCpuTime();
            long wall = System.nanoTime();
            for (int i = 0; i < rounds; i++) {
                Pictures.decode(p.getValue(), type, spec, RequestDecoder.DEFAULT_IMAGE_LIMITS);
            }
            double cpuMs = (threads.getCurrentThreadCpuTime() - cpu) / 1e6 / rounds;
            double wallMs = (System.nanoTime() - wall) / 1e6 / rounds;
            System.out.printf("request record with a %-38s %8d bytes (%.2fx the tensor's); decode to the frame: %.3f ms CPU (%.3f ms wall)"
                    + " per request, %d decodes%n", p.getKey() + ":", record, record / (double) raw, cpuMs, wallMs, rounds);
        }
    }

    private static BufferedImage scaled(BufferedImage in, int w, int h) {
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        var g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(in, 0, 0, w, h, null);
        g.dispose();
        return out;
    }
}
