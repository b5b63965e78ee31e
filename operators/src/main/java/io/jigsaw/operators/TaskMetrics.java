package io.jigsaw.operators;

import io.jigsaw.core.stats.Percentiles;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

import java.util.Arrays;
import java.util.function.IntSupplier;

/**
 * One replica's figures, twice: as Flink metrics (dashboard, Prometheus) and as per-interval windows
 * for the telemetry topic the planner reads. Names are stable: dashboards and the planner use them.
 */
final class TaskMetrics {

    /** What one telemetry interval saw. */
    record Window(long arrivals, long batches, long batchItems, long dropped, double[] latenciesMs) {

        double meanBatchSize() {
            return batches == 0 ? 0 : (double) batchItems / batches;
        }

        double latencyPercentile(double q) {
            return Percentiles.of(latenciesMs, latenciesMs.length, q);
        }
    }

    /** Bounds the latencies kept per window; at worst the percentiles come from the first ones. */
    private static final int MAX_SAMPLES = 8192;

    private final Counter arrivals;
    private final Counter dropped;
    private final Counter batches;
    private volatile double lastBatchMs;
    private volatile int lastBatchSize;
    private volatile String variant = "";
    private volatile double sharePct;
    private volatile int planBatchSize;
    private volatile long planVersion;

    private long windowArrivals;
    private long windowBatches;
    private long windowItems;
    private long windowDropped;
    private double[] windowLatencies = new double[64];
    private int windowSamples;

    TaskMetrics(MetricGroup group, IntSupplier queueLength) {
        arrivals = group.counter("arrivals");
        dropped = group.counter("dropped");
        batches = group.counter("batches");
        group.meter("arrivalRate", new org.apache.flink.metrics.MeterView(arrivals));
        group.gauge("queueLength", queueLength::getAsInt);
        group.gauge("lastBatchLatencyMs", () -> lastBatchMs);
        group.gauge("lastBatchSize", () -> lastBatchSize);
        group.gauge("variant", () -> variant);
        group.gauge("sharePct", () -> sharePct);
        group.gauge("planBatchSize", () -> planBatchSize);
        group.gauge("planVersion", () -> planVersion);
    }

    void arrived() {
        arrivals.inc();
        windowArrivals++;
    }

    void dropped() {
        dropped.inc();
        windowDropped++;
    }

    void batch(int size, double latencyMs) {
        batches.inc();
        lastBatchMs = latencyMs;
        lastBatchSize = size;
        windowBatches++;
        windowItems += size;
        if (windowSamples < MAX_SAMPLES) {
            if (windowSamples == windowLatencies.length) {
                windowLatencies = Arrays.copyOf(windowLatencies, windowSamples * 2);
            }
            windowLatencies[windowSamples++] = latencyMs;
        }
    }

    void plan(long version, String newVariant, double share, int batchSize) {
        planVersion = version;
        variant = newVariant;
        sharePct = share;
        planBatchSize = batchSize;
    }

    Window closeWindow() {
        Window w = new Window(windowArrivals, windowBatches, windowItems, windowDropped,
                Arrays.copyOf(windowLatencies, windowSamples));
        windowArrivals = 0;
        windowBatches = 0;
        windowItems = 0;
        windowDropped = 0;
        windowSamples = 0;
        return w;
    }
}
