package io.jigsaw.operators;

import io.jigsaw.core.stats.Percentiles;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.IntSupplier;

/**
 * One replica's figures, twice: as Flink metrics (dashboard, Prometheus) and as per-interval windows
 * for the telemetry topic the planner reads. Names are stable: dashboards and the planner use them.
 */
final class TaskMetrics implements FanOut.Observer {

    /** Pieces one variant ran on and what they sent one child, in a window. */
    record Fanout(String variant, String child, long piecesIn, long piecesOut) {
    }

    /** What one telemetry interval saw. */
    record Window(long arrivals, long batches, long batchItems, long dropped, double[] latenciesMs, List<Fanout> fanout,
            Map<String, Long> boxesSkipped, Map<String, Long> rungBatches, long cascadeInputs, long escalated) {

        double meanBatchSize() {
            return batches == 0 ? 0 : (double) batchItems / batches;
        }

        double latencyPercentile(double q) {
            return Percentiles.of(latenciesMs, latenciesMs.length, q);
        }
    }

    /** Batches the latency histogram's percentiles are computed over. */
    static final int HISTOGRAM_WINDOW = 1000;

    /** Bounds the latencies kept per window; at worst the percentiles come from the first ones. */
    private static final int MAX_SAMPLES = 8192;

    private final Counter arrivals;
    private final Counter dropped;
    private final Counter batches;
    private final Histogram batchLatencyUs;
    private final MetricGroup group;
    /** Variants that have a {@code variant=<name>} gauge: registered as plans name them. */
    private final Set<String> variantGauges = new HashSet<>();
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
    /** (variant, child) → {pieces in, pieces out} in this window. */
    private final Map<List<String>, long[]> windowFanout = new LinkedHashMap<>();
    private final Map<String, Long> windowBoxes = new TreeMap<>();
    private final Map<String, Counter> boxCounters = new HashMap<>();
    /** Batches per variant run (a ladder's rung, a cascade's stage) in this window, and counters for the dashboard. */
    private final Map<String, Long> windowRungs = new TreeMap<>();
    private final Map<String, Counter> rungCounters = new HashMap<>();
    private final Counter cascadeInputs;
    private final Counter escalated;
    private long windowCascadeInputs;
    private long windowEscalated;

    TaskMetrics(MetricGroup group, IntSupplier queueLength, IntSupplier sessionsHeld) {
        this.group = group;
        arrivals = group.counter("arrivals");
        dropped = group.counter("dropped");
        batches = group.counter("batches");
        cascadeInputs = group.counter("cascadeInputs");
        escalated = group.counter("escalated");
        group.meter("arrivalRate", new org.apache.flink.metrics.MeterView(arrivals));
        group.gauge("queueLength", queueLength::getAsInt);
        // Model sessions loaded (variant × thread budget): bounded by the plans in force and recently in force.
        group.gauge("sessionsHeld", sessionsHeld::getAsInt);
        group.gauge("lastBatchLatencyMs", () -> lastBatchMs);
        group.gauge("lastBatchSize", () -> lastBatchSize);
        group.gauge("variant", () -> variant);
        group.gauge("sharePct", () -> sharePct);
        group.gauge("planBatchSize", () -> planBatchSize);
        group.gauge("planVersion", () -> planVersion);
        // Percentiles for Prometheus (a summary with quantiles) and the dashboard; micros, as batches can be sub-ms.
        batchLatencyUs = group.histogram("batchLatencyUs", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
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
        batchLatencyUs.update(Math.round(latencyMs * 1000));
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

    /** A batch ran on {@code variantName} for {@code latencyMs}: counted per variant ({@code rung.<variant>.batches}). */
    void ran(String variantName, double latencyMs) {
        rungCounters.computeIfAbsent(variantName, v -> group.addGroup("rung", v).counter("batches")).inc();
        windowRungs.merge(variantName, 1L, Long::sum);
    }

    /** A cascade's first stage judged {@code inputs} pieces and escalated {@code up} of them. */
    void cascade(int inputs, int up) {
        cascadeInputs.inc(inputs);
        escalated.inc(up);
        windowCascadeInputs += inputs;
        windowEscalated += up;
    }

    @Override
    public void sent(String variantName, String child, int pieces) {
        long[] c = windowFanout.computeIfAbsent(List.of(variantName, child), k -> new long[2]);
        c[0]++;
        c[1] += pieces;
    }

    /** A detector box that was skipped or clipped, by reason: a counter per reason ({@code boxes.<reason>}). */
    @Override
    public void box(String reason) {
        boxCounters.computeIfAbsent(reason, r -> group.addGroup("boxes").counter(r)).inc();
        windowBoxes.merge(reason, 1L, Long::sum);
    }

    void plan(long version, String newVariant, double share, int batchSize) {
        planVersion = version;
        variant = newVariant;
        if (variantGauges.add(newVariant)) {
            // A string gauge does not reach Prometheus: the variant in force is the one whose 'active' is 1.
            group.addGroup("variant", newVariant).gauge("active", () -> newVariant.equals(variant) ? 1 : 0);
        }
        sharePct = share;
        planBatchSize = batchSize;
    }

    Window closeWindow() {
        List<Fanout> fanout = new ArrayList<>();
        windowFanout.forEach((k, c) -> fanout.add(new Fanout(k.get(0), k.get(1), c[0], c[1])));
        Window w = new Window(windowArrivals, windowBatches, windowItems, windowDropped,
                Arrays.copyOf(windowLatencies, windowSamples), fanout, new TreeMap<>(windowBoxes), new TreeMap<>(windowRungs),
                windowCascadeInputs, windowEscalated);
        windowFanout.clear();
        windowRungs.clear();
        windowCascadeInputs = 0;
        windowEscalated = 0;
        windowBoxes.clear();
        windowArrivals = 0;
        windowBatches = 0;
        windowItems = 0;
        windowDropped = 0;
        windowSamples = 0;
        return w;
    }
}
