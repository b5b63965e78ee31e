package io.jigsaw.core.scene;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The synthetic XR-scene dataset: 64×64 frames with 0 to 3 objects of 10 kinds (5 shapes × 2
 * colour families), each centred in its own cell of a 4×4 grid, at a distance of 1 to 4 m that sets
 * its size (28 px / distance) and its shading (farther is darker); over a tinted background with
 * noise and clutter (lines and specks that are no objects), so small models make more mistakes than
 * large ones. Deterministic per seed and split: the same seed gives the same frames on any machine.
 */
public final class SceneGenerator {

    public static final int SIZE = 64;
    public static final int GRID = 4;
    public static final int MAX_OBJECTS = 3;
    /** The demo graph's classify labels, in its order. */
    public static final List<String> LABELS = List.of("person", "chair", "table", "cup", "laptop", "phone", "plant", "door",
            "window", "screen");
    /** The fuse task's answer for a scene without objects: one past the labels. */
    public static final int NONE = LABELS.size();

    /** Which frames: training, validation and test never share a seed. */
    public enum Split {
        TRAIN(1_000_003L), VALIDATION(2_000_003L), TEST(3_000_017L);

        private final long salt;

        Split(long salt) {
            this.salt = salt;
        }
    }

    private static final double[] OBJECT_COUNT = {0.15, 0.35, 0.30, 0.20};
    private static final float[][] COLOURS = {{0.95f, 0.55f, 0.25f}, {0.30f, 0.60f, 0.95f}};

    private final SplittableRandom random;

    public SceneGenerator(long seed, Split split) {
        this.random = new SplittableRandom(seed * 31 + split.salt);
    }

    public Scene next() {
        float[] f = new float[SIZE * SIZE * 3];
        background(f);
        clutter(f);
        int count = pick(OBJECT_COUNT);
        List<Integer> cells = new ArrayList<>();
        while (cells.size() < count) {
            int c = random.nextInt(GRID * GRID);
            if (!cells.contains(c)) {
                cells.add(c);
            }
        }
        List<SceneObject> objects = new ArrayList<>();
        for (int cell : cells) {
            objects.add(object(f, cell));
        }
        for (int i = 0; i < f.length; i++) {
            f[i] = Math.min(1f, Math.max(0f, f[i] + (float) (gaussian() * 0.06)));
        }
        return new Scene(f, SIZE, objects);
    }

    private void background(float[] f) {
        float[] tint = {(float) (0.08 + 0.2 * random.nextDouble()), (float) (0.08 + 0.2 * random.nextDouble()),
            (float) (0.08 + 0.2 * random.nextDouble())};
        double gx = random.nextDouble() * 0.15;
        double gy = random.nextDouble() * 0.15;
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                float shade = (float) (gx * x / SIZE + gy * y / SIZE);
                for (int c = 0; c < 3; c++) {
                    f[(y * SIZE + x) * 3 + c] = tint[c] + shade;
                }
            }
        }
    }

    /** Lines and specks in object-like colours: what a weak detector mistakes for an object. */
    private void clutter(float[] f) {
        int lines = random.nextInt(4);
        for (int i = 0; i < lines; i++) {
            float[] colour = colour(random.nextInt(2), (float) (0.4 + 0.4 * random.nextDouble()));
            boolean horizontal = random.nextBoolean();
            int at = random.nextInt(SIZE);
            int from = random.nextInt(SIZE / 2);
            int length = 8 + random.nextInt(SIZE / 2);
            for (int k = from; k < Math.min(SIZE, from + length); k++) {
                paint(f, horizontal ? k : at, horizontal ? at : k, colour);
            }
        }
        int specks = random.nextInt(4);
        for (int i = 0; i < specks; i++) {
            float[] colour = colour(random.nextInt(2), (float) (0.5 + 0.4 * random.nextDouble()));
            int cx = random.nextInt(SIZE);
            int cy = random.nextInt(SIZE);
            int r = 1 + random.nextInt(3);
            for (int y = cy - r; y <= cy + r; y++) {
                for (int x = cx - r; x <= cx + r; x++) {
                    paint(f, x, y, colour);
                }
            }
        }
    }

    private SceneObject object(float[] f, int cell) {
        int label = random.nextInt(LABELS.size());
        float distance = (float) (1 + 3 * random.nextDouble());
        int size = Math.max(5, Math.round(28 / distance));
        int cellSize = SIZE / GRID;
        double cx = (cell % GRID + 0.5) * cellSize + (random.nextDouble() - 0.5) * 4;
        double cy = (cell / GRID + 0.5) * cellSize + (random.nextDouble() - 0.5) * 4;
        int x1 = (int) Math.round(cx - size / 2.0);
        int y1 = (int) Math.round(cy - size / 2.0);
        float[] colour = colour(label / 5, 1.15f - 0.2f * distance);
        draw(f, label % 5, x1, y1, size, colour);
        float[] box = {clip(x1), clip(y1), clip(x1 + size), clip(y1 + size)};
        return new SceneObject(label, box, distance);
    }

    /** Five shapes: a filled square, a disc, a triangle, a plus, a ring. */
    private static void draw(float[] f, int shape, int x1, int y1, int size, float[] colour) {
        double r = size / 2.0;
        double cx = x1 + r;
        double cy = y1 + r;
        for (int y = y1; y < y1 + size; y++) {
            for (int x = x1; x < x1 + size; x++) {
                double dx = x + 0.5 - cx;
                double dy = y + 0.5 - cy;
                double d = Math.sqrt(dx * dx + dy * dy);
                boolean in = switch (shape) {
                    case 0 -> true;
                    case 1 -> d <= r;
                    case 2 -> Math.abs(dx) <= (y + 0.5 - y1) / 2.0;
                    case 3 -> Math.abs(dx) <= r / 3 || Math.abs(dy) <= r / 3;
                    default -> d <= r && d >= r * 0.55;
                };
                if (in) {
                    paint(f, x, y, colour);
                }
            }
        }
    }

    private static float[] colour(int family, float brightness) {
        float[] base = COLOURS[family];
        return new float[] {base[0] * brightness, base[1] * brightness, base[2] * brightness};
    }

    private static void paint(float[] f, int x, int y, float[] colour) {
        if (x < 0 || y < 0 || x >= SIZE || y >= SIZE) {
            return;
        }
        int i = (y * SIZE + x) * 3;
        f[i] = colour[0];
        f[i + 1] = colour[1];
        f[i + 2] = colour[2];
    }

    private static float clip(int px) {
        return Math.min(1f, Math.max(0f, px / (float) SIZE));
    }

    private int pick(double[] p) {
        double u = random.nextDouble();
        for (int i = 0; i < p.length; i++) {
            u -= p[i];
            if (u < 0) {
                return i;
            }
        }
        return p.length - 1;
    }

    private double gaussian() {
        double u = 1.0 - random.nextDouble();
        double v = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}
