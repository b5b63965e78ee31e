package io.jigsaw.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Writes a synthetic trace in the Azure Functions 2019 format (HashOwner,HashApp,HashFunction,Trigger,
 * then one column of invocation counts per minute) — GENERATED, not Azure's data, which cannot be
 * downloaded here. Three functions with the shapes that trace is known for: an HTTP function with a
 * slow daily-like swing, a timer firing a burst every 5 minutes, and a queue function with heavy-tailed
 * (log-normal) minute counts. Seeded: the same arguments give the same file.
 *
 * <p>Usage: {@code AzureStyleTrace OUT.csv MINUTES MEAN_PER_MINUTE SEED}
 */
public final class AzureStyleTrace {

    private AzureStyleTrace() {
    }

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args[0]);
        int minutes = Integer.parseInt(args[1]);
        double mean = Double.parseDouble(args[2]);
        SplittableRandom random = new SplittableRandom(Long.parseLong(args[3]));
        long[] http = new long[minutes];
        long[] timer = new long[minutes];
        long[] queue = new long[minutes];
        for (int m = 0; m < minutes; m++) {
            double swing = 1 + 0.4 * Math.sin(2 * Math.PI * m / minutes);
            http[m] = poisson(random, 0.6 * mean * swing);
            timer[m] = m % 5 == 0 ? poisson(random, 0.5 * mean) : poisson(random, 0.025 * mean);
            // Log-normal with sigma 1 has mean exp(mu + 1/2): scaled so the queue function averages 0.2 x mean.
            queue[m] = Math.round(0.2 * mean * Math.exp(gaussian(random) - 0.5));
        }
        StringBuilder header = new StringBuilder("HashOwner,HashApp,HashFunction,Trigger");
        for (int m = 1; m <= minutes; m++) {
            header.append(',').append(m);
        }
        List<String> lines = new ArrayList<>();
        lines.add(header.toString());
        lines.add(row("owner0", "app0", "http-api", "http", http));
        lines.add(row("owner0", "app0", "five-minute-sync", "timer", timer));
        lines.add(row("owner1", "app1", "ingest-worker", "queue", queue));
        if (out.getParent() != null) {
            Files.createDirectories(out.getParent());
        }
        Files.write(out, lines);
        long total = 0;
        for (int m = 0; m < minutes; m++) {
            total += http[m] + timer[m] + queue[m];
        }
        System.out.printf(Locale.ROOT, "wrote %s: %d minutes, %d invocations (%.1f req/s mean), GENERATED Azure-style trace%n", out, minutes,
                total, total / (minutes * 60.0));
    }

    private static String row(String owner, String app, String function, String trigger, long[] counts) {
        StringBuilder b = new StringBuilder(String.join(",", owner, app, function, trigger));
        for (long c : counts) {
            b.append(',').append(c);
        }
        return b.toString();
    }

    /** Knuth's method for small means, a normal approximation for large ones. */
    private static long poisson(SplittableRandom random, double mean) {
        if (mean > 500) {
            return Math.max(0, Math.round(mean + Math.sqrt(mean) * gaussian(random)));
        }
        double limit = Math.exp(-mean);
        double p = 1;
        long k = 0;
        do {
            k++;
            p *= random.nextDouble();
        } while (p > limit);
        return k - 1;
    }

    private static double gaussian(SplittableRandom random) {
        return Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
    }
}
