package io.jigsaw.planner.profile;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Derives partition rows from whole-GPU rows, where no partition was measured. Two rules:
 *
 * <p>{@link Rule#UTILISATION} (DESIGN.md's model; the planner's default): a batch of size b keeps a fraction u(b) =
 * throughput(b) / max_b' throughput(b') of the GPU busy, so on a partition of share p it runs as fast
 * as on the whole GPU while p ≥ u(b), and proportionally slower below: ℓ(b, p) = ℓ(b) · max(1, u(b)/p).
 * Checked against ParvaGPU's A100 MIG measurements it is up to 2× optimistic (VGG at batch 1: a model
 * whose whole-GPU throughput at batch 1 is low because its kernels are inefficient there, not because
 * the GPU idles) and 2× pessimistic for BERT.
 *
 * <p>{@link Rule#COMPUTE} (validated on ParvaGPU; {@code --partition-model COMPUTE}): a batch either waits on the host (launches; its time
 * does not grow with the batch) or on the GPU's compute. The whole-GPU curve says which: batch b is
 * compute-bound where the next profiled batch costs more than 10 % per doubling. Its compute time C(b)
 * is then ℓ(b); below the smallest compute-bound batch b*, C(b) = C(b*) · b / b* (per input no cheaper
 * than at b*, so the estimate errs slow). On a share p the compute takes k · C(b) / p, and the host part
 * is what the whole GPU shows: ℓ(b, p) = max(ℓ(b), k · C(b) / p). k = {@value #SLICE_EFFICIENCY} is how
 * much less than 1/p a slice takes: a MIG slice has its own memory and L2, so it runs a little better
 * than its share of compute (the 90th percentile of measured / (C/p) over the compute-bound rows of
 * ParvaGPU's 11 models; the partition validation bench fits it again leaving each model out and prints
 * every row's error). Where the profile measured a variant on a share at some batch, nothing is derived
 * for that share: a missing batch there was not measurable (out of memory), not unknown.
 */
public final class PartitionModel {

    /** See the class comment: fitted on ParvaGPU's A100 MIG rows, 90th percentile, all 11 models. */
    public static final double SLICE_EFFICIENCY = 0.92;
    /** A batch whose next doubling costs more than this much more time is compute-bound. */
    public static final double COMPUTE_BOUND_GROWTH = 1.10;

    /** How a partition row is derived from the whole device's. */
    public enum Rule {
        UTILISATION, COMPUTE;

        public String describe() {
            return this == UTILISATION ? "utilisation rule: l(b)*max(1, u(b)/p); up to 2x optimistic on measured A100 MIG slices,"
                    + " --partition-model COMPUTE is the validated one"
                    : "compute rule: max(l(b), " + SLICE_EFFICIENCY + "*C(b)/p), C from the whole-GPU batch curve";
        }
    }

    private PartitionModel() {
    }

    /** {@link #complete(Collection, ShareGrid, Rule)} under the utilisation rule. */
    public static List<ProfileRow> complete(Collection<ProfileRow> measured, ShareGrid grid) {
        return complete(measured, grid, Rule.UTILISATION);
    }

    /**
     * Every row given, plus a derived row for each grid share that has no measured row. Variants without a
     * whole-GPU row for a batch get no derived row for it; a share measured at some batch gets none.
     */
    public static List<ProfileRow> complete(Collection<ProfileRow> measured, ShareGrid grid, Rule rule) {
        return complete(measured, grid, rule, SLICE_EFFICIENCY);
    }

    /** The same with the compute rule's slice efficiency given (the validation bench fits it per held-out model). */
    public static List<ProfileRow> complete(Collection<ProfileRow> measured, ShareGrid grid, Rule rule, double efficiency) {
        Map<String, TreeMap<Integer, ProfileRow>> whole = new HashMap<>();
        Set<String> keys = new HashSet<>();
        Set<String> partitioned = new HashSet<>();
        for (ProfileRow r : measured) {
            keys.add(key(r.variant(), r.share(), r.batch(), r.processes()));
            if (r.share() == 100.0 && r.processes() == 1) {
                whole.computeIfAbsent(r.variant(), v -> new TreeMap<>()).put(r.batch(), r);
            } else if (!r.derived()) {
                partitioned.add(r.variant() + '|' + r.share());
            }
        }
        List<ProfileRow> out = new ArrayList<>(measured);
        for (TreeMap<Integer, ProfileRow> rows : whole.values()) {
            Curve curve = new Curve(rows);
            for (ProfileRow w : rows.values()) {
                for (double p : grid.shares()) {
                    if (keys.contains(key(w.variant(), p, w.batch(), 1)) || partitioned.contains(w.variant() + '|' + p)) {
                        continue;
                    }
                    double fast = curve.latency(w, p / 100.0, rule, efficiency, false);
                    double slow = curve.latency(w, p / 100.0, rule, efficiency, true);
                    out.add(new ProfileRow(w.variant(), w.device(), p, w.batch(), fast, Math.max(fast, slow), ProfileRow.Source.DERIVED));
                }
            }
        }
        return out;
    }

    /**
     * One variant's whole-device batch curve, with what both rules read from all of it computed once: the best
     * throughput (the utilisation rule's u(b)) and the smallest compute-bound batch b* (the compute rule's C(b)).
     */
    private static final class Curve {

        private final TreeMap<Integer, ProfileRow> rows;
        private final double maxThroughput;
        private final ProfileRow firstComputeBound;

        Curve(TreeMap<Integer, ProfileRow> rows) {
            this.rows = rows;
            this.maxThroughput = rows.values().stream().mapToDouble(ProfileRow::throughputPerSecond).max().orElseThrow();
            ProfileRow first = rows.lastEntry().getValue();
            for (Map.Entry<Integer, ProfileRow> e : rows.entrySet()) {
                Map.Entry<Integer, ProfileRow> next = rows.higherEntry(e.getKey());
                if (next != null && computeBound(e.getValue(), next.getValue())) {
                    first = e.getValue();
                    break;
                }
            }
            this.firstComputeBound = first;
        }

        /** One derived latency (p50 or tail) of row w's batch on share p (a fraction). */
        double latency(ProfileRow w, double p, Rule rule, double efficiency, boolean tail) {
            double at = tail ? w.p99Ms() : w.p50Ms();
            if (rule == Rule.UTILISATION) {
                return at * Math.max(1.0, w.throughputPerSecond() / maxThroughput / p);
            }
            return Math.max(at, efficiency * computeMs(w, tail) / p);
        }

        /** C(b): the batch's compute time on the whole device (see the class comment). */
        private double computeMs(ProfileRow w, boolean tail) {
            ProfileRow star = firstComputeBound;
            if (w.batch() >= star.batch()) {
                return tail ? w.p99Ms() : w.p50Ms();
            }
            return (tail ? star.p99Ms() : star.p50Ms()) * w.batch() / star.batch();
        }
    }

    private static boolean computeBound(ProfileRow b, ProfileRow larger) {
        double doublings = Math.log((double) larger.batch() / b.batch()) / Math.log(2);
        return larger.p50Ms() / b.p50Ms() > Math.pow(COMPUTE_BOUND_GROWTH, doublings);
    }

    static String key(String variant, double share, int batch, int processes) {
        return variant + '|' + share + '|' + batch + '|' + processes;
    }
}
