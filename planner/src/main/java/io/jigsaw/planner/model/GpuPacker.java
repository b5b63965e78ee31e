package io.jigsaw.planner.model;

import io.jigsaw.core.plan.Partition;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Places replicas on GPUs first-fit decreasing: largest partitions first, each on the lowest-numbered
 * GPU with room. Identical replicas are placed as a group (a GPU takes as many as fit), which is the
 * same placement as one at a time but costs O(tasks × GPUs), cheap enough to run on every solver move.
 * The solver and the exact reference both pack with this, so their optima are comparable.
 */
public final class GpuPacker {

    /** Percent of a GPU that rounding may overshoot (shares such as 100/7 are not exact in binary). */
    private static final double EPSILON = 1e-6;

    private GpuPacker() {
    }

    /** Where replicas went, and the share that found no GPU. */
    public record Packing(List<List<Partition>> partitions, double overflowShare, double[] gpuLoad) {
    }

    /**
     * @param shares per task, the share of each of its replicas (0: nothing to place)
     * @param replicas per task, how many replicas
     * @param reservedPct percent of each GPU not to fill (the framework's own share where it runs on the device)
     */
    public static Packing pack(double[] shares, int[] replicas, int gpus, boolean withPartitions, double reservedPct) {
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
}
