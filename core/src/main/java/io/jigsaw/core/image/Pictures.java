package io.jigsaw.core.image;

import io.jigsaw.core.graph.TensorSpec;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;

/**
 * A picture as a graph's input frame — the one rule for every way a frame arrives (a client turning a
 * file into a tensor, the job decoding an encoded image a request carries): decoded with the JDK's
 * ImageIO, stretched bilinearly to the graph's [height, width] (aspect not kept), and written as
 * float32 in 0..1, row-major, RGB (or the mean of R, G and B for one channel), alpha dropped.
 *
 * <p>An encoded image is checked before its pixels are decoded: its size in bytes, its format against
 * the content type it claims, and its width × height from the header against a pixel limit, so a
 * decompression bomb (a few kilobytes declaring a gigapixel) is refused, not decoded.
 */
public final class Pictures {

    /** The content types a request's image may have, with ImageIO's format name for each. */
    public static final Map<String, String> CONTENT_TYPES = Map.of("image/jpeg", "jpeg", "image/png", "png");

    /** Why an encoded image cannot become a frame. */
    public static final class Refused extends Exception {
        public Refused(String message) {
            super(message);
        }
    }

    /** The limits an encoded image must keep. */
    public record Limits(long maxBytes, long maxPixels) implements java.io.Serializable {
    }

    private Pictures() {
    }

    /** The content type of a file by its format (what `send` names in the request), or empty when it is none of {@link #CONTENT_TYPES}. */
    public static java.util.Optional<String> contentType(byte[] encoded) {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(encoded))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                return java.util.Optional.empty();
            }
            String format = readers.next().getFormatName().toLowerCase(Locale.ROOT);
            return CONTENT_TYPES.entrySet().stream().filter(e -> e.getValue().equals(format) || (format.equals("jpg")
                    && e.getValue().equals("jpeg"))).map(Map.Entry::getKey).findFirst();
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
    }

    /**
     * An encoded image as the graph's frame.
     *
     * @throws Refused when it is over a limit, not of its content type, or not decodable, saying which
     */
    public static ByteBuffer decode(byte[] encoded, String contentType, TensorSpec spec, Limits limits) throws Refused {
        String format = CONTENT_TYPES.get(contentType == null ? "" : contentType.toLowerCase(Locale.ROOT));
        if (format == null) {
            throw new Refused("content type '" + contentType + "' is not one of " + CONTENT_TYPES.keySet());
        }
        if (encoded.length > limits.maxBytes()) {
            throw new Refused("image of " + encoded.length + " bytes is over the limit of " + limits.maxBytes());
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(encoded))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new Refused("not an image ImageIO can read (content type " + contentType + ")");
            }
            ImageReader reader = readers.next();
            try {
                String actual = reader.getFormatName().toLowerCase(Locale.ROOT);
                if (!actual.equals(format) && !(format.equals("jpeg") && actual.equals("jpg"))) {
                    throw new Refused("content type " + contentType + " but the bytes are " + actual);
                }
                reader.setInput(in, true, true);
                long width = reader.getWidth(0);
                long height = reader.getHeight(0);
                if (width <= 0 || height <= 0 || width * height > limits.maxPixels()) {
                    throw new Refused("image of " + width + " x " + height + " = " + width * height + " pixels is over the limit of "
                            + limits.maxPixels() + " (checked before decoding)");
                }
                BufferedImage image = reader.read(0);
                return frame(image, spec);
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            throw new Refused("the " + contentType + " image cannot be decoded: " + e.getMessage());
        }
    }

    /** @throws IOException when the file is not an image ImageIO can read, saying so */
    public static ByteBuffer read(Path file, TensorSpec spec) throws IOException {
        BufferedImage image = ImageIO.read(file.toFile());
        if (image == null) {
            throw new IOException(file + ": not an image this JDK can read (PNG, JPEG, BMP or GIF)");
        }
        return frame(image, spec);
    }

    /** A file's bytes and its content type, for a request that carries the picture encoded. */
    public static Map.Entry<String, byte[]> encoded(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        String type = contentType(bytes).orElseThrow(() -> new IOException(file + ": not a JPEG or PNG picture (the encodings a"
                + " request may carry; other formats can be sent decoded: --raw)"));
        return Map.entry(type, bytes);
    }

    /** Why a graph with this input takes no pictures, or null when it takes them (float32 [height, width, 3 or 1]). */
    public static String unfit(TensorSpec spec) {
        if (spec.shape().size() != 3 || !TensorSpec.FLOAT32.equals(spec.dtype()) || (spec.shape().get(2) != 3 && spec.shape().get(2) != 1)) {
            return "pictures become float32 [height, width, 3 or 1] frames; the graph takes " + spec.dtype() + " " + spec.shape();
        }
        return null;
    }

    public static ByteBuffer frame(BufferedImage image, TensorSpec spec) {
        String unfit = unfit(spec);
        if (unfit != null) {
            throw new IllegalArgumentException(unfit);
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
