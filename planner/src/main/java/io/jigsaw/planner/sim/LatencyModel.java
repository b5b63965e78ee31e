package io.jigsaw.planner.sim;

import io.jigsaw.planner.profile.Profile;
import io.jigsaw.planner.profile.ProfileRow;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * How long one batch takes in the simulation: the profile row's {@link Spread} (its p50 and p99), so the
 * simulated tail is the profiled tail. A partial batch (a timeout fired) takes the row of the smallest
 * profiled batch that holds it.
 */
final class LatencyModel {

    private record Key(String variant, double share, int size) {
    }

    private final Profile profile;
    private final SplittableRandom random;
    private final Map<Key, Spread> fits = new HashMap<>();

    LatencyModel(Profile profile, long seed) {
        this.profile = profile;
        this.random = new SplittableRandom(seed);
    }

    double sampleMs(String variant, double share, int size) {
        return fits.computeIfAbsent(new Key(variant, share, size), this::fit).sample(random);
    }

    private Spread fit(Key k) {
        int largest = 0;
        for (int b : profile.batches(k.variant())) {
            largest = b;
            if (b >= k.size()) {
                ProfileRow r = row(k.variant(), k.share(), b);
                return spread(r);
            }
        }
        // Bigger than any profiled batch: scale the largest linearly (no plan asks for this; a safety net).
        ProfileRow r = row(k.variant(), k.share(), largest);
        return spread(r).times((double) k.size() / largest);
    }

    /** A row's p99 below its p50 (a rounding in a hand-made file) counts as no spread. */
    private static Spread spread(ProfileRow r) {
        return new Spread(r.p50Ms(), Math.max(r.p50Ms(), r.p99Ms()));
    }

    private ProfileRow row(String variant, double share, int batch) {
        return profile.row(variant, share, batch).orElseThrow(() -> new IllegalStateException(
                "no profile row for " + variant + " at " + share + " % batch " + batch + "; plans only use profiled rows"));
    }
}
