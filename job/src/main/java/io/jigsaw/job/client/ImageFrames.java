package io.jigsaw.job.client;

import io.jigsaw.core.graph.TensorSpec;

import javax.imageio.ImageIO;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * A picture as a graph's input frame: read with the JDK's ImageIO (PNG, JPEG, BMP, GIF), resized
 * bilinearly to the graph's [height, width, channels] and written as float32 in 0..1, row-major,
 * RGB (or grey for one channel) — the layout the demo models and the crops expect.
 */
public final class ImageFrames {

    private ImageFrames() {
    }

    /** @throws IOException when the file is not an image ImageIO can read, saying so */
    public static ByteBuffer read(Path file, TensorSpec spec) throws IOException {
        BufferedImage image = ImageIO.read(file.toFile());
        if (image == null) {
            throw new IOException(file + ": not an image this JDK can read (PNG, JPEG, BMP or GIF)");
        }
        return frame(image, spec);
    }

    public static ByteBuffer frame(BufferedImage image, TensorSpec spec) {
        if (spec.shape().size() != 3 || !TensorSpec.FLOAT32.equals(spec.dtype()) || (spec.shape().get(2) != 3 && spec.shape().get(2) != 1)) {
            throw new IllegalArgumentException("pictures become float32 [height, width, 3 or 1] frames; the graph takes "
                    + spec.dtype() + " " + spec.shape());
        }
        int h = spec.shape().get(0);
        int w = spec.shape().get(1);
        int channels = spec.shape().get(2);
        BufferedImage scaled = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        var g = scaled.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(image, 0, 0, w, h, null);
        g.dispose();
        ByteBuffer out = ByteBuffer.allocate(h * w * channels * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = scaled.getRGB(x, y);
                float r = ((rgb >> 16) & 0xff) / 255f;
                float gr = ((rgb >> 8) & 0xff) / 255f;
                float b = (rgb & 0xff) / 255f;
                if (channels == 3) {
                    out.putFloat(r).putFloat(gr).putFloat(b);
                } else {
                    out.putFloat((r + gr + b) / 3);
                }
            }
        }
        out.flip();
        return out;
    }
}
