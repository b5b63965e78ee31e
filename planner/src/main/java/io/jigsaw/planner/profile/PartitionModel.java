package io.jigsaw.planner.profile;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Derives partition rows from whole-GPU rows (DESIGN.md's model): a batch of size b keeps a fraction
 * u(b) = throughput(b) / max_b' throughput(b') of the GPU busy, so on a partition of share p it runs
 * as fast as on the whole GPU while p ≥ u(b), and proportionally slower below:
 * latency(b, p) = latency(b) · max(1, u(b) / p).
 *
 * <p>Why this model and not a finer one: it needs nothing but the whole-GPU curve every profile has,
 * it is conservative where it matters (a partition never beats the whole GPU, and below u(b) work is
 * conserved, so share × time is constant), and it is the one the design contract names, so reports
 * on different profiles stay comparable. It ignores memory-bandwidth interference between
 * co-located partitions; measured rows (the profiler's) replace derived ones wherever they exist.
 */
public final class PartitionModel {

    private PartitionModel() {
    }

    /**
     * Every whole-GPU row, plus a derived row for each grid share that has no measured row. Variants
     * without a whole-GPU row for a batch get no derived row for it.
     */
    public static List<ProfileRow> complete(Collection<ProfileRow> measured, ShareGrid grid) {
        Map<String, Double> maxThroughput = new HashMap<>();
        Map<String, ProfileRow> byKey = new HashMap<>();
        for (ProfileRow r : measured) {
            byKey.put(key(r.variant(), r.share(), r.batch()), r);
            if (r.share() == 100.0) {
                maxThroughput.merge(r.variant(), r.throughputPerSecond(), Math::max);
            }
        }
        List<ProfileRow> out = new ArrayList<>(measured);
        for (ProfileRow whole : measured) {
            if (whole.share() != 100.0) {
                continue;
            }
            double u = whole.throughputPerSecond() / maxThroughput.get(whole.variant());
            for (double p : grid.shares()) {
                if (byKey.containsKey(key(whole.variant(), p, whole.batch()))) {
                    continue;
                }
                double slowdown = Math.max(1.0, u / (p / 100.0));
                out.add(new ProfileRow(whole.variant(), whole.device(), p, whole.batch(), whole.p50Ms() * slowdown,
                        whole.p99Ms() * slowdown, ProfileRow.Source.DERIVED));
            }
        }
        return out;
    }

    static String key(String variant, double share, int batch) {
        return variant + '|' + share + '|' + batch;
    }
}
