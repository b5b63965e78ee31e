package io.jigsaw.job;

import io.jigsaw.core.plan.PlanAvro;
import io.jigsaw.job.client.Frames;
import io.jigsaw.job.kafka.AvroProducer;
import io.jigsaw.job.kafka.TopicReader;
import io.jigsaw.job.report.ResultStats;
import io.jigsaw.schemas.Result;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The job's metrics as Prometheus scrapes them from a TaskManager on 127.0.0.1, under the names dashboards use. */
class PrometheusMetricsIntegrationTest {

    static final int PORT = freePort();

    static int freePort() {
        try {
            return LoopbackPorts.free();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setConfiguration(prometheus()).setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    @RegisterExtension
    static final RealKafka kafka = new RealKafka();

    static Configuration prometheus() {
        // The same reporter as flink-conf/config.yaml, on a free port.
        return Configuration.fromMap(java.util.Map.of(
                "metrics.reporter.prom.factory.class", "org.apache.flink.metrics.prometheus.PrometheusReporterFactory",
                "metrics.reporter.prom.port", String.valueOf(PORT),
                "metrics.reporter.prom.host", "127.0.0.1"));
    }

    @Test
    void everyTaskAndTheGraphReportTheirFiguresToPrometheus() throws Exception {
        String scrape;
        try (DemoJob job = DemoJob.start(kafka.bootstrap(), "metrics");
             AvroProducer producer = new AvroProducer(kafka.bootstrap());
             TopicReader<Result> results = new TopicReader<>(kafka.bootstrap(), job.topics.results(), Result.class)) {
            producer.send(job.topics.plans(), job.graph.name(), PlanAvro.toAvro(DemoJob.staticPlan())).get(60, TimeUnit.SECONDS);
            int n = 10;
            for (int i = 0; i < n; i++) {
                long now = System.currentTimeMillis();
                producer.send(job.topics.requests(), "m" + i, Frames.request("m" + i, job.graph.name(), job.spec, now, now + 120_000, i)).get(60, TimeUnit.SECONDS);
            }
            ResultStats stats = new ResultStats();
            long until = System.currentTimeMillis() + 120_000;
            while (stats.answered() < n && System.currentTimeMillis() < until) {
                results.poll(Duration.ofMillis(300)).forEach(stats::add);
            }
            assertThat(stats.answered()).isEqualTo(n);
            scrape = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + PORT + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        }

        String task = "flink_taskmanager_job_task_operator_jigsaw_";
        for (String name : List.of("arrivalRate", "arrivals", "queueLength", "lastBatchSize", "batchLatencyUs", "dropped",
                "sharePct", "planBatchSize", "planVersion", "results", "sloMet", "sloAttainment", "meanAccuracy", "latencyMs")) {
            assertThat(scrape).as(name).contains(task + name);
        }
        assertThat(scrape).as("latency percentiles").containsPattern(task + "batchLatencyUs\\{[^}]*quantile=\"0\\.99\"");
        // Prometheus label values have '_' for '-': detect-m is variant="detect_m".
        assertThat(scrape).as("the variant in force").containsPattern(task + "variant_active\\{[^}]*variant=\"detect_m\"[^}]*\\} 1\\.0");
        assertThat(scrape).as("one series per task").contains("operator_name=\"detect\"", "operator_name=\"classify\"",
                "operator_name=\"depth\"", "operator_name=\"fuse\"", "operator_name=\"assemble_results\"");
    }
}
