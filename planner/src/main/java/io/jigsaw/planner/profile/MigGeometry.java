package io.jigsaw.planner.profile;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which MIG slices one A100 can hold at once. A slice of g compute slices ({@code g}g) occupies a fixed
 * range of the GPU's 8 memory slices, and may only start where NVIDIA's MIG user guide places it
 * ({@code nvidia-smi mig -lgipp} on an A100): 7g at 0 (all 8), 4g at 0 (4), 3g at 0 or 4 (4), 2g at 0, 2
 * or 4 (2), 1g at 0 … 6 (1). So a sum of sevenths is not enough: 3g + 3g + 1g is seven sevenths and
 * no layout, while 4g + 3g and 3g + 2g + 1g + 1g are. 5g and 6g do not exist.
 *
 * <p>Why a table of the layouts and not a packing rule: the set is small (every multiset of slices that
 * some placement fits), computed once by trying every placement, so checking a GPU's slices is a lookup
 * on every solver move.
 */
public final class MigGeometry {

    /** The A100's slice sizes in compute slices (GPCs), ascending. */
    public static final int[] SIZES = {1, 2, 3, 4, 7};
    /** Per size, where it may start in memory slices, and how many it takes. */
    private static final int[][] STARTS = {{0, 1, 2, 3, 4, 5, 6}, {0, 2, 4}, {0, 4}, {0}, {0}};
    private static final int[] MEMORY = {1, 2, 4, 4, 8};
    private static final int MEMORY_SLICES = 8;

    private static final Set<Layout> VALID = enumerate();

    private MigGeometry() {
    }

    /**
     * How many slices of each size a GPU holds, in {@link #SIZES} order.
     */
    public record Layout(int ones, int twos, int threes, int fours, int sevens) {

        public static Layout of(int[] counts) {
            return new Layout(counts[0], counts[1], counts[2], counts[3], counts[4]);
        }

        public int[] counts() {
            return new int[] {ones, twos, threes, fours, sevens};
        }

        /** Compute slices in use, of 7. */
        public int sevenths() {
            return MigGeometry.sevenths(counts());
        }

        /** How many slices of {@code size} compute slices. */
        public int count(int size) {
            return counts()[index(size)];
        }

        public Layout plus(int size) {
            int[] c = counts();
            c[index(size)]++;
            return of(c);
        }

        /** NVIDIA's names, largest first: "4g.40gb + 2g.20gb + 1g.10gb", "3g.40gb + 4 x 1g.10gb" (A100 80GB). */
        @Override
        public String toString() {
            List<String> parts = new ArrayList<>();
            int[] c = counts();
            for (int i = SIZES.length - 1; i >= 0; i--) {
                if (c[i] > 0) {
                    parts.add((c[i] > 1 ? c[i] + " x " : "") + profileName(SIZES[i]));
                }
            }
            return parts.isEmpty() ? "(empty)" : String.join(" + ", parts);
        }
    }

    /**
     * Where each slice of a valid layout starts, in memory slices: per slice size ({@link #SIZES} order), the starts of
     * that many slices, ascending. The first placement found trying the larger slices first.
     */
    public static int[][] placements(Layout layout) {
        if (!valid(layout)) {
            throw new IllegalArgumentException("no placement fits " + layout);
        }
        int[] want = layout.counts();
        int[][] out = new int[SIZES.length][];
        for (int i = 0; i < SIZES.length; i++) {
            out[i] = new int[want[i]];
        }
        if (!fill(new boolean[MEMORY_SLICES], want, new int[SIZES.length], SIZES.length - 1, out)) {
            throw new IllegalStateException("layout " + layout + " is valid but no placement was found");
        }
        return out;
    }

    /** The compute slices of a slice named as plans name it ({@code 3g.40gb@4}: 3). */
    public static int sizeOfName(String slice) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d)g\\.\\d+gb@\\d").matcher(slice);
        int size = m.matches() ? Integer.parseInt(m.group(1)) : -1;
        if (!isSize(size)) {
            throw new IllegalArgumentException("'" + slice + "' names no A100 MIG slice (1g.10gb@0 … 7g.80gb@0)");
        }
        return size;
    }

    /** The slice's name in a plan: its profile and first memory slice, e.g. {@code 3g.40gb@4}. */
    public static String sliceName(int size, int start) {
        return profileName(size) + "@" + start;
    }

    private static boolean fill(boolean[] used, int[] want, int[] placed, int i, int[][] out) {
        if (i < 0) {
            return true;
        }
        if (placed[i] == want[i]) {
            return fill(used, want, placed, i - 1, out);
        }
        int from = placed[i] == 0 ? 0 : out[i][placed[i] - 1] + 1;
        for (int start : STARTS[i]) {
            if (start < from || !free(used, i, start)) {
                continue;
            }
            mark(used, i, start, true);
            out[i][placed[i]++] = start;
            if (fill(used, want, placed, i, out)) {
                return true;
            }
            placed[i]--;
            mark(used, i, start, false);
        }
        return false;
    }

    /** Whether some placement fits these slices on one GPU. */
    public static boolean valid(Layout layout) {
        return VALID.contains(layout);
    }

    /** Whether one more slice of {@code size} compute slices fits beside {@code layout}. */
    public static boolean fits(Layout layout, int size) {
        return isSize(size) && valid(layout.plus(size));
    }

    /** Every valid layout to which no slice can be added (NVIDIA's table of combinations), largest slices first. */
    public static List<Layout> maximalLayouts() {
        List<Layout> out = new ArrayList<>();
        for (Layout l : VALID) {
            boolean full = true;
            for (int s : SIZES) {
                full &= !valid(l.plus(s));
            }
            if (full && l.sevenths() > 0) {
                out.add(l);
            }
        }
        out.sort(java.util.Comparator.comparing((Layout l) -> -l.sevens).thenComparing(l -> -l.fours).thenComparing(l -> -l.threes)
                .thenComparing(l -> -l.twos));
        return out;
    }

    public static int layoutCount() {
        return VALID.size();
    }

    public static boolean isSize(int g) {
        for (int s : SIZES) {
            if (s == g) {
                return true;
            }
        }
        return false;
    }

    /** The slice a share of the GPU stands for (100/7 → 1, 100 → 7), or -1 where it is none. */
    public static int sizeOf(double sharePercent) {
        return nearestSize(sharePercent, 1e-6);
    }

    /**
     * A share read from a file, exact where it stands for a slice: "14.2857" (a CSV's 4 decimals) is 100/7, so
     * it meets the planner's slices; any other share is returned as it is.
     */
    public static double snap(double sharePercent) {
        int g = nearestSize(sharePercent, 1e-3);
        return g > 0 ? share(g) : sharePercent;
    }

    /** The slice size within {@code tolerance} sevenths of a share, or -1. */
    private static int nearestSize(double sharePercent, double tolerance) {
        double g = sharePercent * 7 / 100;
        long r = Math.round(g);
        return Math.abs(g - r) < tolerance && isSize((int) r) ? (int) r : -1;
    }

    /** The percent of a GPU a slice of g compute slices is (7g: 100 exactly). */
    public static double share(int g) {
        return g == 7 ? 100.0 : 100.0 * g / 7;
    }

    /** NVIDIA's profile name on an A100 80GB: 1g.10gb, 2g.20gb, 3g.40gb, 4g.40gb, 7g.80gb. */
    public static String profileName(int g) {
        return String.format(Locale.ROOT, "%dg.%dgb", g, 10 * MEMORY[index(g)]);
    }

    /** The position of a slice size in {@link #SIZES}. */
    public static int index(int size) {
        for (int i = 0; i < SIZES.length; i++) {
            if (SIZES[i] == size) {
                return i;
            }
        }
        throw new IllegalArgumentException("no MIG slice of " + size + " compute slices on an A100 (sizes 1, 2, 3, 4, 7)");
    }

    private static Set<Layout> enumerate() {
        Set<Layout> out = new HashSet<>();
        place(new boolean[MEMORY_SLICES], new int[SIZES.length], 0, out);
        return Set.copyOf(out);
    }

    /** Every set of non-overlapping placements, each added once in (size, start) order so none repeats. */
    private static void place(boolean[] used, int[] counts, int from, Set<Layout> out) {
        out.add(Layout.of(counts));
        int k = 0;
        for (int i = 0; i < SIZES.length; i++) {
            for (int start : STARTS[i]) {
                if (k++ < from) {
                    continue;
                }
                if (free(used, i, start) && sevenths(counts) + SIZES[i] <= 7) {
                    mark(used, i, start, true);
                    counts[i]++;
                    place(used, counts, k, out);
                    counts[i]--;
                    mark(used, i, start, false);
                }
            }
        }
    }

    /** Whether the memory slices a slice of size index i takes from {@code start} are all free. */
    private static boolean free(boolean[] used, int i, int start) {
        for (int m = start; m < start + MEMORY[i]; m++) {
            if (used[m]) {
                return false;
            }
        }
        return true;
    }

    private static void mark(boolean[] used, int i, int start, boolean taken) {
        for (int m = start; m < start + MEMORY[i]; m++) {
            used[m] = taken;
        }
    }

    /** Compute slices in use by these counts per size, of 7. */
    private static int sevenths(int[] counts) {
        int s = 0;
        for (int i = 0; i < counts.length; i++) {
            s += counts[i] * SIZES[i];
        }
        return s;
    }
}
