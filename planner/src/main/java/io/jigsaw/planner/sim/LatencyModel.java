package io.jigsaw.planner.sim;

import io.jigsaw.planner.profile.Profile;
import io.jigsaw.planner.profile.ProfileRow;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * How long one batch takes in the simulation: log-normal with the profile row's p50 as median and its
 * p99 as 99th percentile (σ = ln(p99/p50) / z₀.₉₉), so the simulated tail is the profiled tail. A
 * partial batch (a timeout fired) takes the row of the smallest profiled batch that holds it.
 */
final class LatencyModel {

    private static final double Z99 = 2.3263478740408408;

    private record Key(String variant, double share, int size) {
    }

    private record Fit(double medianMs, double sigma) {
    }

    private final Profile profile;
    private final SplittableRandom random;
    private final Map<Key, Fit> fits = new HashMap<>();

    LatencyModel(Profile profile, long seed) {
        this.profile = profile;
        this.random = new SplittableRandom(seed);
    }

    double sampleMs(String variant, double share, int size) {
        Fit f = fits.computeIfAbsent(new Key(variant, share, size), this::fit);
        return f.sigma() == 0 ? f.medianMs() : f.medianMs() * Math.exp(f.sigma() * gaussian());
    }

    private Fit fit(Key k) {
        int largest = 0;
        for (int b : profile.batches(k.variant())) {
            largest = b;
            if (b >= k.size()) {
                ProfileRow r = row(k.variant(), k.share(), b);
                return new Fit(r.p50Ms(), Math.log(r.p99Ms() / r.p50Ms()) / Z99);
            }
        }
        // Bigger than any profiled batch: scale the largest linearly (no plan asks for this; a safety net).
        ProfileRow r = row(k.variant(), k.share(), largest);
        double scale = (double) k.size() / largest;
        return new Fit(r.p50Ms() * scale, Math.log(r.p99Ms() / r.p50Ms()) / Z99);
    }

    private ProfileRow row(String variant, double share, int batch) {
        return profile.row(variant, share, batch).orElseThrow(() -> new IllegalStateException(
                "no profile row for " + variant + " at " + share + " % batch " + batch + "; plans only use profiled rows"));
    }

    private double gaussian() {
        double u1 = 1 - random.nextDouble();
        double u2 = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }
}
