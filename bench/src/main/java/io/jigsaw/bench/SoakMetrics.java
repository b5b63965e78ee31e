package io.jigsaw.bench;

import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A metric reporter that keeps the gauges of the job running in this JVM's MiniCluster where the soak benchmark
 * can read them: Jigsaw's ({@code sessionsHeld}, {@code requestsHeld}) and Flink's checkpoint gauges. Registered
 * with {@code metrics.reporter.soak.factory.class}.
 */
public final class SoakMetrics implements MetricReporter {

    private static final Map<String, Gauge<?>> GAUGES = new ConcurrentHashMap<>();

    /** The sum of every gauge called {@code name} (all operators and subtasks that have one). */
    static double sum(String name) {
        double total = 0;
        for (Map.Entry<String, Gauge<?>> e : GAUGES.entrySet()) {
            if (e.getKey().endsWith("." + name) && e.getValue().getValue() instanceof Number n) {
                total += n.doubleValue();
            }
        }
        return total;
    }

    @Override
    public void open(MetricConfig config) {
    }

    @Override
    public void close() {
    }

    @Override
    public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
        if (metric instanceof Gauge<?> g) {
            GAUGES.put(group.getMetricIdentifier(name), g);
        }
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {
        GAUGES.remove(group.getMetricIdentifier(name));
    }

    /** Found by Flink through META-INF/services. */
    public static final class Factory implements MetricReporterFactory {
        @Override
        public MetricReporter createMetricReporter(Properties properties) {
            return new SoakMetrics();
        }
    }
}
