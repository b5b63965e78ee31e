package io.jigsaw.core.image;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;

/**
 * Which of a detector's boxes become crops, and in which order: the job's fan-out takes them this
 * way, and training builds a join's inputs the same way, so a join learns the object order it is
 * served in.
 */
public final class CropBoxes {

    /** A box taken: its index in the detector's output, the box clipped to the image, and whether clipping changed it. */
    public record Taken(int index, float score, float[] box, boolean clipped) {
    }

    private CropBoxes() {
    }

    /**
     * Boxes scoring at least {@code minScore}, best first (ties: lower index first), the first
     * {@code max} usable ones: a box with NaN is skipped ({@code "nan"}), a box is clipped to the
     * image and skipped when less than a pixel is left ({@code "empty"}).
     *
     * @param scores one score per box
     * @param boxes four values per box, [x1, y1, x2, y2] normalised to the image
     * @param skipped told the reason of each box skipped
     */
    public static List<Taken> select(float[] scores, float[] boxes, double minScore, int max, int height, int width,
            Consumer<String> skipped) {
        List<Integer> candidates = new ArrayList<>();
        for (int i = 0; i < scores.length; i++) {
            if (scores[i] >= minScore) {
                candidates.add(i);
            }
        }
        candidates.sort(Comparator.<Integer>comparingDouble(i -> -scores[i]).thenComparingInt(i -> i));
        List<Taken> out = new ArrayList<>();
        for (int i : candidates) {
            if (out.size() == max) {
                break;
            }
            float[] box = Arrays.copyOfRange(boxes, 4 * i, 4 * i + 4);
            if (Float.isNaN(box[0] + box[1] + box[2] + box[3])) {
                skipped.accept("nan");
                continue;
            }
            float[] clipped = new float[4];
            for (int k = 0; k < 4; k++) {
                clipped[k] = Math.min(1f, Math.max(0f, box[k]));
            }
            if ((clipped[2] - clipped[0]) * width < 1 || (clipped[3] - clipped[1]) * height < 1) {
                skipped.accept("empty");
                continue;
            }
            out.add(new Taken(i, scores[i], clipped, !Arrays.equals(box, clipped)));
        }
        return out;
    }
}
