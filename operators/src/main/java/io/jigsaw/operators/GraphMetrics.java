package io.jigsaw.operators;

import io.jigsaw.schemas.Result;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * The graph's end-to-end figures as Flink metrics, from the results one assembler subtask emits:
 * results, within-SLO results and drops (counters, so a scraper can take rates), SLO attainment,
 * mean planned accuracy ({@code meanAccuracy}: end to end in the graph's own units where its variant
 * combinations were measured, else the relative path product) and, over the requests that carried
 * their truth, mean measured end-to-end accuracy in the graph's own units ({@code meanAccuracyMeasured},
 * with {@code scored}) and each task's mean raw score in its metric ({@code score} in group
 * {@code task=<name>}), and end-to-end latency percentiles.
 */
final class GraphMetrics {

    private final Counter results;
    private final Counter sloMet;
    private final Counter dropped;
    private final Histogram latencyMs;
    private volatile double accuracySum;
    private final Counter scored;
    private volatile double measuredSum;
    private final MetricGroup group;
    private final java.util.Map<String, double[]> taskScores = new java.util.concurrent.ConcurrentHashMap<>();

    GraphMetrics(MetricGroup group) {
        this.group = group;
        scored = group.counter("scored");
        group.gauge("meanAccuracyMeasured", () -> scored.getCount() == 0 ? 0.0 : measuredSum / scored.getCount());
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
        if (r.getAccuracyMeasured() != null) {
            scored.inc();
            measuredSum += r.getAccuracyMeasured();
            r.getTaskScores().forEach((task, score) -> {
                double[] sum = taskScores.computeIfAbsent(task, t -> {
                    double[] fresh = new double[2];
                    group.addGroup("task", t).gauge("score", () -> fresh[1] == 0 ? 0.0 : fresh[0] / fresh[1]);
                    return fresh;
                });
                sum[0] += score;
                sum[1]++;
            });
        }
    }
}
