package io.jigsaw.planner.profile;

import java.util.ArrayList;
import java.util.List;

/**
 * The partition sizes a plan may use, in percent of one GPU: MPS-style steps ({@code
 * CUDA_MPS_ACTIVE_THREAD_PERCENTAGE}, default every 10 %) or an A100's MIG slices.
 *
 * @param mig whether the partitions are MIG slices: a GPU's slices must then form a valid layout
 *     ({@link MigGeometry}), not merely sum to at most 100 %
 */
public record ShareGrid(List<Double> shares, boolean mig) {

    public ShareGrid(List<Double> shares) {
        this(shares, false);
    }

    public ShareGrid {
        shares = List.copyOf(shares);
        if (shares.isEmpty() || shares.stream().anyMatch(s -> !(s > 0 && s <= 100))) {
            throw new IllegalArgumentException("shares must be in (0, 100] percent, found " + shares);
        }
    }

    public static ShareGrid mps(int stepPercent) {
        if (stepPercent < 1 || stepPercent > 100 || 100 % stepPercent != 0) {
            throw new IllegalArgumentException("share step must divide 100, found " + stepPercent);
        }
        List<Double> out = new ArrayList<>();
        for (int s = stepPercent; s <= 100; s += stepPercent) {
            out.add((double) s);
        }
        return new ShareGrid(out);
    }

    /** An A100's MIG slices: 1g, 2g, 3g, 4g and 7g of its 7 compute slices (there is no 5g or 6g). */
    public static ShareGrid migSlices() {
        List<Double> out = new ArrayList<>();
        for (int g : MigGeometry.SIZES) {
            out.add(MigGeometry.share(g));
        }
        return new ShareGrid(out, true);
    }

    public static ShareGrid wholeGpus() {
        return new ShareGrid(List.of(100.0));
    }
}
