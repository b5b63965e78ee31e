package io.jigsaw.operators;

import io.jigsaw.schemas.Result;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * The graph's end-to-end figures as Flink metrics, from the results one assembler subtask emits:
 * results, within-SLO results and drops (counters, so a scraper can take rates), SLO attainment and
 * mean path accuracy since start, and end-to-end latency percentiles.
 */
final class GraphMetrics {

    private final Counter results;
    private final Counter sloMet;
    private final Counter dropped;
    private final Histogram latencyMs;
    private volatile double accuracySum;

    GraphMetrics(MetricGroup group) {
        results = group.counter("results");
        sloMet = group.counter("sloMet");
        dropped = group.counter("dropped");
        latencyMs = group.histogram("latencyMs", new DescriptiveStatisticsHistogram(TaskMetrics.HISTOGRAM_WINDOW));
        group.gauge("sloAttainment", () -> results.getCount() == 0 ? 1.0 : (double) sloMet.getCount() / results.getCount());
        group.gauge("meanAccuracy", () -> {
            long answered = results.getCount() - dropped.getCount();
            return answered == 0 ? 0.0 : accuracySum / answered;
        });
    }

    void result(Result r) {
        results.inc();
        if (r.getSloMet()) {
            sloMet.inc();
        }
        if (r.getDropped()) {
            dropped.inc();
        } else {
            accuracySum += r.getAccuracy();
            latencyMs.update(r.getLatencyMs());
        }
    }
}
