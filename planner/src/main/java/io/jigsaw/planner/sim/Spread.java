package io.jigsaw.planner.sim;

import java.util.SplittableRandom;

/**
 * A time known by its median and 99th percentile, as profiles and the job's measurements give it; drawn
 * log-normal through both (σ = ln(p99/p50) / z₀.₉₉), so a simulated tail is the measured tail. p99 = p50: always
 * that time.
 */
public record Spread(double p50Ms, double p99Ms) {

    private static final double Z99 = 2.3263478740408408;

    public static final Spread ZERO = new Spread(0, 0);

    public Spread {
        if (!(p50Ms >= 0) || !(p99Ms >= p50Ms) || p50Ms == 0 && p99Ms > 0) {
            throw new IllegalArgumentException("a time needs 0 <= p50 <= p99 (and p50 > 0 if p99 is), found p50 " + p50Ms + " ms, p99 "
                    + p99Ms + " ms");
        }
    }

    /** Always {@code ms}. */
    public static Spread fixed(double ms) {
        return new Spread(ms, ms);
    }

    public double sample(SplittableRandom random) {
        if (p99Ms == p50Ms) {
            return p50Ms;
        }
        double sigma = Math.log(p99Ms / p50Ms) / Z99;
        double u1 = 1 - random.nextDouble();
        double u2 = random.nextDouble();
        return p50Ms * Math.exp(sigma * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2));
    }

    /** A spread scaled by {@code factor} (a batch bigger than any profiled). */
    Spread times(double factor) {
        return new Spread(p50Ms * factor, p99Ms * factor);
    }
}
