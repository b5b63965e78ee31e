package io.jigsaw.job.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The demo's arrivals: Poisson at {@code rate} for the first third, at {@code rate × step} for the
 * second, back to {@code rate} for the last; seeded, so a run can be repeated. The full trace
 * reader (CSV, Azure-style, Gamma) is the evaluation issue's; this is what the demo needs.
 */
public record StepTrace(double rate, double step, long durationMs, long seed) {

    public long stepUpMs() {
        return durationMs / 3;
    }

    public long stepDownMs() {
        return 2 * durationMs / 3;
    }

    public double rateAt(long tMs) {
        return tMs >= stepUpMs() && tMs < stepDownMs() ? rate * step : rate;
    }

    /** Arrival offsets in ms from the start: exponential gaps at the rate in force. */
    public List<Long> arrivals() {
        SplittableRandom random = new SplittableRandom(seed);
        List<Long> out = new ArrayList<>();
        double t = 0;
        while (true) {
            t += -Math.log(1 - random.nextDouble()) / rateAt((long) t) * 1000.0;
            if (t >= durationMs) {
                return out;
            }
            out.add((long) t);
        }
    }
}
