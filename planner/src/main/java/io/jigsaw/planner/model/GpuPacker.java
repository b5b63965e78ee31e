package io.jigsaw.planner.model;

import io.jigsaw.core.plan.Partition;
import io.jigsaw.planner.profile.MigGeometry;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Places replicas on GPUs first-fit decreasing: largest partitions first, each on the lowest-numbered
 * GPU with room. Identical replicas are placed as a group (a GPU takes as many as fit), which is the
 * same placement as one at a time but costs O(tasks × GPUs), cheap enough to run on every solver move.
 * The solver and the exact reference both pack with this, so their optima are comparable.
 *
 * <p>MIG: the unit placed is a slice, which holds up to {@code processes} replicas of one task (MPS
 * inside the slice, as measured), and a GPU takes a slice only while its slices stay a valid MIG layout
 * ({@link MigGeometry}); each replica's partition is its process's part of the slice.
 */
public final class GpuPacker {

    /** Percent of a GPU that rounding may overshoot (shares such as 100/7 are not exact in binary). */
    private static final double EPSILON = 1e-6;

    private GpuPacker() {
    }

    /**
     * Where replicas went, and the share that found no GPU.
     *
     * @param migLayouts per GPU, its MIG slices (null where partitions are not MIG slices)
     */
    public record Packing(List<List<Partition>> partitions, double overflowShare, double[] gpuLoad, MigGeometry.Layout[] migLayouts) {

        public Packing(List<List<Partition>> partitions, double overflowShare, double[] gpuLoad) {
            this(partitions, overflowShare, gpuLoad, null);
        }
    }

    /**
     * @param shares per task, the share of each of its replicas (0: nothing to place)
     * @param replicas per task, how many replicas
     * @param reservedPct percent of each GPU not to fill (the framework's own share where it runs on the device)
     */
    public static Packing pack(double[] shares, int[] replicas, int gpus, boolean withPartitions, double reservedPct) {
        return pack(shares, replicas, null, false, gpus, withPartitions, reservedPct);
    }

    /**
     * @param processes per task, how many replicas share one slice (null: one each)
     * @param mig whether partitions are MIG slices that must form a valid layout on each GPU
     */
    public static Packing pack(double[] shares, int[] replicas, int[] processes, boolean mig, int gpus, boolean withPartitions,
            double reservedPct) {
        if (mig) {
            return packSlices(shares, replicas, processes, gpus, withPartitions);
        }
        Integer[] order = new Integer[shares.length];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -shares[i]).thenComparingInt(i -> i));
        double[] free = new double[gpus];
        Arrays.fill(free, 100.0 - reservedPct);
        List<List<Partition>> out = new ArrayList<>();
        for (int i = 0; i < shares.length; i++) {
            out.add(withPartitions ? new ArrayList<>() : List.of());
        }
        double overflow = 0;
        for (int t : order) {
            double s = shares[t];
            if (s <= 0 || replicas[t] == 0) {
                continue;
            }
            int left = replicas[t];
            for (int g = 0; g < gpus && left > 0; g++) {
                int fit = Math.min(left, (int) Math.floor((free[g] + EPSILON) / s));
                if (fit <= 0) {
                    continue;
                }
                free[g] -= fit * s;
                left -= fit;
                if (withPartitions) {
                    for (int k = 0; k < fit; k++) {
                        out.get(t).add(new Partition(g, s));
                    }
                }
            }
            overflow += left * s;
        }
        double[] load = new double[gpus];
        for (int g = 0; g < gpus; g++) {
            load[g] = 100.0 - free[g];
        }
        return new Packing(out, overflow, load);
    }

    private static Packing packSlices(double[] shares, int[] replicas, int[] processes, int gpus, boolean withPartitions) {
        int n = shares.length;
        double[] slice = new double[n];
        for (int i = 0; i < n; i++) {
            slice[i] = shares[i] * (processes == null ? 1 : processes[i]);
        }
        Integer[] order = new Integer[n];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -slice[i]).thenComparingInt(i -> i));
        MigGeometry.Layout[] layout = new MigGeometry.Layout[gpus];
        Arrays.fill(layout, new MigGeometry.Layout(0, 0, 0, 0, 0));
        List<List<Partition>> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(withPartitions ? new ArrayList<>() : List.of());
        }
        double overflow = 0;
        List<PlacedSlice> placed = new ArrayList<>();
        for (int t : order) {
            if (shares[t] <= 0 || replicas[t] == 0) {
                continue;
            }
            int per = processes == null ? 1 : processes[t];
            int size = MigGeometry.sizeOf(slice[t]);
            if (size < 0) {
                throw new IllegalArgumentException("a share of " + slice[t] + " % of a GPU is no MIG slice (1g … 7g are 100·g/7 %)");
            }
            int left = replicas[t];
            for (int g = 0; g < gpus && left > 0; g++) {
                while (left > 0 && MigGeometry.fits(layout[g], size)) {
                    int here = Math.min(per, left);
                    placed.add(new PlacedSlice(t, g, size, layout[g].count(size), here));
                    layout[g] = layout[g].plus(size);
                    left -= here;
                }
            }
            overflow += Math.ceil(left / (double) per) * slice[t];
        }
        if (withPartitions) {
            // Each slice named by where the GPU's final layout places it, so replicas sharing one name the same slice.
            int[][][] starts = new int[gpus][][];
            for (PlacedSlice s : placed) {
                if (starts[s.gpu] == null) {
                    starts[s.gpu] = MigGeometry.placements(layout[s.gpu]);
                }
                String name = MigGeometry.sliceName(s.size, starts[s.gpu][MigGeometry.index(s.size)][s.rank]);
                for (int k = 0; k < s.replicas; k++) {
                    out.get(s.task).add(new Partition(s.gpu, shares[s.task], null, 0, 0, name));
                }
            }
        }
        double[] load = new double[gpus];
        for (int g = 0; g < gpus; g++) {
            load[g] = 100.0 * layout[g].sevenths() / 7;
        }
        return new Packing(out, overflow, load, layout);
    }

    /** One slice as packed: its task, GPU and size, its rank among that GPU's slices of that size, the replicas in it. */
    private record PlacedSlice(int task, int gpu, int size, int rank, int replicas) {
    }
}
