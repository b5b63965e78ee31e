package io.jigsaw.core.trace;

import io.jigsaw.core.input.InputException;
import io.jigsaw.core.stats.DoubleSeries;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Seeded synthetic arrivals from a spec such as {@code poisson:rate=200,duration=600,seed=1}:
 * <ul>
 *   <li>{@code poisson:rate,duration[,seed]} — exponential gaps;</li>
 *   <li>{@code gamma:rate,cv2,duration[,seed]} — Gamma gaps with mean 1/rate and squared coefficient
 *       of variation cv2 (1 = Poisson; 4 = bursty);</li>
 *   <li>{@code step:rate,factor,at,until,duration[,seed]} — Poisson at rate × factor from {@code at} to
 *       {@code until} seconds, rate otherwise;</li>
 *   <li>{@code spike:rate,factor,at,length,duration[,seed]} — Poisson with a spike of rate × factor
 *       lasting {@code length} seconds from {@code at}.</li>
 * </ul>
 * Rates in req/s, times in seconds; seed defaults to 1.
 */
public final class SyntheticTrace {

    private static final Map<String, Set<String>> KEYS = Map.of(
            "poisson", Set.of("rate", "duration", "seed"),
            "gamma", Set.of("rate", "cv2", "duration", "seed"),
            "step", Set.of("rate", "factor", "at", "until", "duration", "seed"),
            "spike", Set.of("rate", "factor", "at", "length", "duration", "seed"));

    private SyntheticTrace() {
    }

    public static boolean isSpec(String spec) {
        int colon = spec.indexOf(':');
        return colon > 0 && KEYS.containsKey(spec.substring(0, colon));
    }

    public static Trace generate(String spec) {
        int colon = spec.indexOf(':');
        String kind = spec.substring(0, colon);
        Map<String, Double> p = parameters(spec, kind, spec.substring(colon + 1));
        double rate = positive(spec, p, "rate");
        double durationMs = positive(spec, p, "duration") * 1000;
        SplittableRandom random = new SplittableRandom(p.getOrDefault("seed", 1.0).longValue());
        return switch (kind) {
            case "poisson" -> new Trace(spec, poisson(random, durationMs, t -> rate), null);
            case "gamma" -> new Trace(spec, gamma(random, rate, positive(spec, p, "cv2"), durationMs), null);
            case "step" -> {
                double factor = positive(spec, p, "factor");
                double at = required(spec, p, "at") * 1000;
                double until = required(spec, p, "until") * 1000;
                yield new Trace(spec, poisson(random, durationMs, t -> t >= at && t < until ? rate * factor : rate), null);
            }
            case "spike" -> {
                double factor = positive(spec, p, "factor");
                double at = required(spec, p, "at") * 1000;
                double end = at + positive(spec, p, "length") * 1000;
                yield new Trace(spec, poisson(random, durationMs, t -> t >= at && t < end ? rate * factor : rate), null);
            }
            default -> throw new IllegalStateException(kind);
        };
    }

    /** Piecewise-constant rate: exponential gaps at the rate in force where each gap starts. */
    private static double[] poisson(SplittableRandom random, double durationMs, java.util.function.DoubleUnaryOperator rateAt) {
        DoubleSeries out = new DoubleSeries();
        double t = 0;
        while (true) {
            t += -Math.log(1 - random.nextDouble()) / rateAt.applyAsDouble(t) * 1000.0;
            if (t >= durationMs) {
                return out.toArray();
            }
            out.add(t);
        }
    }

    private static double[] gamma(SplittableRandom random, double rate, double cv2, double durationMs) {
        double shape = 1 / cv2;
        double scaleMs = 1000.0 / (rate * shape);
        DoubleSeries out = new DoubleSeries();
        double t = 0;
        while (true) {
            t += gammaSample(random, shape) * scaleMs;
            if (t >= durationMs) {
                return out.toArray();
            }
            out.add(t);
        }
    }

    /** Marsaglia and Tsang (2000); for shape < 1, Gamma(k) = Gamma(k + 1) · U^(1/k). */
    static double gammaSample(SplittableRandom random, double shape) {
        if (shape < 1) {
            return gammaSample(random, shape + 1) * Math.pow(random.nextDouble(), 1 / shape);
        }
        double d = shape - 1.0 / 3;
        double c = 1 / Math.sqrt(9 * d);
        while (true) {
            double x;
            double v;
            do {
                x = normal(random);
                v = 1 + c * x;
            } while (v <= 0);
            v = v * v * v;
            double u = random.nextDouble();
            if (u < 1 - 0.0331 * x * x * x * x || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) {
                return d * v;
            }
        }
    }

    private static double normal(SplittableRandom random) {
        double u1 = 1 - random.nextDouble();
        double u2 = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    private static Map<String, Double> parameters(String spec, String kind, String body) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String part : body.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            String[] kv = part.split("=", 2);
            String key = kv[0].trim();
            if (kv.length != 2 || !KEYS.get(kind).contains(key)) {
                throw new InputException("--trace " + spec, key, "expected key=value with keys " + KEYS.get(kind) + " for " + kind, null);
            }
            try {
                out.put(key, Double.parseDouble(kv[1].trim()));
            } catch (NumberFormatException e) {
                throw new InputException("--trace " + spec, key, "expected a number, found '" + kv[1] + "'", null);
            }
        }
        return out;
    }

    private static double required(String spec, Map<String, Double> p, String key) {
        Double v = p.get(key);
        if (v == null || v < 0) {
            throw new InputException("--trace " + spec, key, "required, a number >= 0", null);
        }
        return v;
    }

    private static double positive(String spec, Map<String, Double> p, String key) {
        Double v = p.get(key);
        if (v == null || !(v > 0)) {
            throw new InputException("--trace " + spec, key, "required, a number > 0", null);
        }
        return v;
    }
}
