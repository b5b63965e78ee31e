package io.jigsaw.core.scene;

import java.util.ArrayList;
import java.util.List;

/**
 * The metrics variants are measured with, offline on the test split and live on requests that carry
 * their truth: detection F1 at IoU 0.5, top-1 accuracy, and the share of values within a tolerance.
 */
public final class Scoring {

    /** A predicted box counts as finding a true one from this IoU on. */
    public static final double IOU = 0.5;
    /** A distance counts as right within this many metres. */
    public static final double DISTANCE_TOLERANCE = 0.5;

    private Scoring() {
    }

    public static double iou(float[] a, float[] b) {
        double ix = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
        double iy = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
        double inter = ix * iy;
        double union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
        return union <= 0 ? 0 : inter / union;
    }

    /**
     * Detections matched to the truth, greedily in the detector's order (best score first): each
     * predicted box takes the unmatched true box it overlaps most, if by at least {@link #IOU}.
     *
     * @param truthOf for each predicted box, the index of the true box it found, or -1
     */
    public record Matching(int[] truthOf, int truths) {

        public int truePositives() {
            int n = 0;
            for (int t : truthOf) {
                n += t >= 0 ? 1 : 0;
            }
            return n;
        }

        /** F1 of the detections; 1 when there was nothing to find and nothing was found. */
        public double f1() {
            int tp = truePositives();
            int predicted = truthOf.length;
            if (predicted == 0 && truths == 0) {
                return 1;
            }
            return 2.0 * tp / (predicted + truths);
        }
    }

    public static Matching match(List<float[]> predicted, List<float[]> truth) {
        boolean[] taken = new boolean[truth.size()];
        int[] truthOf = new int[predicted.size()];
        for (int p = 0; p < predicted.size(); p++) {
            int best = -1;
            double bestIou = IOU;
            for (int t = 0; t < truth.size(); t++) {
                double v = taken[t] ? 0 : iou(predicted.get(p), truth.get(t));
                if (v >= bestIou) {
                    best = t;
                    bestIou = v;
                }
            }
            truthOf[p] = best;
            if (best >= 0) {
                taken[best] = true;
            }
        }
        return new Matching(truthOf, truth.size());
    }

    public static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    public static boolean within(double predicted, double truth) {
        return Math.abs(predicted - truth) <= DISTANCE_TOLERANCE;
    }

    /** The true boxes of a scene, for {@link #match}. */
    public static List<float[]> boxes(List<SceneObject> objects) {
        List<float[]> out = new ArrayList<>();
        objects.forEach(o -> out.add(o.box()));
        return out;
    }
}
