package io.jigsaw.planner.profile;

import java.util.ArrayList;
import java.util.List;

/**
 * The partition sizes a plan may use, in percent of one GPU: MPS-style steps ({@code
 * CUDA_MPS_ACTIVE_THREAD_PERCENTAGE}, default every 10 %) or MIG-like sevenths.
 */
public record ShareGrid(List<Double> shares) {

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

    /** NVIDIA MIG slices of an A100/H100: 1/7 … 7/7 of the compute. */
    public static ShareGrid migSevenths() {
        List<Double> out = new ArrayList<>();
        for (int k = 1; k <= 7; k++) {
            out.add(k == 7 ? 100.0 : 100.0 * k / 7);
        }
        return new ShareGrid(out);
    }

    public static ShareGrid wholeGpus() {
        return new ShareGrid(List.of(100.0));
    }
}
