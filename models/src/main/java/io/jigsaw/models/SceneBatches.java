package io.jigsaw.models;

import io.jigsaw.core.image.Crop;
import io.jigsaw.core.scene.Scene;
import io.jigsaw.core.scene.SceneGenerator;
import io.jigsaw.core.scene.SceneObject;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Training and test examples for each kind of variant, cut from the synthetic XR scenes as the job
 * will feed them: whole frames for a detector (with per-cell targets), crops at the objects' boxes
 * for a classifier or a depth regressor (cut with the job's own {@link Crop}, the box jittered a
 * little as a detector's would be); a join's examples come from the models above it ({@link UpstreamJoins}).
 */
final class SceneBatches {

    /** Inputs and targets of one batch, flat row-major. */
    record Batch(int size, float[] inputs, float[] targets, float[] mask) {
    }

    private final SceneGenerator scenes;
    private final SplittableRandom random;

    SceneBatches(long seed, SceneGenerator.Split split) {
        this.scenes = new SceneGenerator(seed, split);
        this.random = new SplittableRandom(seed * 7919 + split.ordinal());
    }

    /** The scenes' frames one after another: a batch of detector inputs [n, 64, 64, 3], flat. */
    static float[] stack(List<Scene> scenes) {
        int pixels = SceneGenerator.SIZE * SceneGenerator.SIZE * 3;
        float[] x = new float[scenes.size() * pixels];
        for (int i = 0; i < scenes.size(); i++) {
            System.arraycopy(scenes.get(i).frame(), 0, x, i * pixels, pixels);
        }
        return x;
    }

    /** Frames; targets per cell: objectness then the box [x1, y1, x2, y2] (mask: 1 where a cell holds an object's centre). */
    Batch frames(int n, int grid) {
        List<Scene> batch = scenes(n);
        int cells = grid * grid;
        float[] y = new float[n * cells * 5];
        float[] mask = new float[n * cells];
        for (int i = 0; i < n; i++) {
            Scene s = batch.get(i);
            for (SceneObject o : s.objects()) {
                int cell = cellOf(o.box(), grid);
                mask[i * cells + cell] = 1;
                int t = (i * cells + cell) * 5;
                y[t] = 1;
                System.arraycopy(o.box(), 0, y, t + 1, 4);
            }
        }
        return new Batch(n, stack(batch), y, mask);
    }

    /** The scenes themselves (for evaluating a detector against their truth). */
    List<Scene> scenes(int n) {
        List<Scene> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(scenes.next());
        }
        return out;
    }

    /** Crops at objects' boxes; targets: the one-hot label (10) then the distance; mask unused. */
    Batch crops(int n, int height, int width) {
        int classes = SceneGenerator.LABELS.size();
        float[] x = new float[n * height * width * 3];
        float[] y = new float[n * (classes + 1)];
        int i = 0;
        while (i < n) {
            Scene s = scenes.next();
            for (SceneObject o : s.objects()) {
                if (i == n) {
                    break;
                }
                float[] crop = Crop.resize(s.frame(), s.size(), s.size(), 3, jitter(o.box(), s.size()), height, width);
                System.arraycopy(crop, 0, x, i * crop.length, crop.length);
                y[i * (classes + 1) + o.label()] = 1;
                y[i * (classes + 1) + classes] = o.distance();
                i++;
            }
        }
        return new Batch(n, x, y, null);
    }

    /** A detector's box is a little off: up to 1.5 px at each edge. */
    private float[] jitter(float[] box, int size) {
        float[] b = new float[4];
        for (int k = 0; k < 4; k++) {
            b[k] = (float) Math.min(1, Math.max(0, box[k] + (random.nextDouble() - 0.5) * 3 / size));
        }
        if (b[2] - b[0] < 1f / size) {
            b[2] = Math.min(1, b[0] + 1f / size);
        }
        if (b[3] - b[1] < 1f / size) {
            b[3] = Math.min(1, b[1] + 1f / size);
        }
        return b;
    }

    static int cellOf(float[] box, int grid) {
        int cx = Math.min(grid - 1, (int) ((box[0] + box[2]) / 2 * grid));
        int cy = Math.min(grid - 1, (int) ((box[1] + box[3]) / 2 * grid));
        return cy * grid + cx;
    }
}
