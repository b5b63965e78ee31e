package io.jigsaw.job;

import io.jigsaw.core.plan.Plan;
import io.jigsaw.core.plan.PlanAvro;
import io.jigsaw.job.client.Frames;
import io.jigsaw.job.cluster.FlinkRest;
import io.jigsaw.job.kafka.AvroProducer;
import io.jigsaw.job.kafka.DistinctResults;
import io.jigsaw.job.kafka.TopicReader;
import io.jigsaw.job.kafka.Topics;
import io.jigsaw.job.report.ResultStats;
import io.jigsaw.job.sidecar.PlannerSidecar;
import io.jigsaw.job.sidecar.PlannerSidecarIntegrationTest;
import io.jigsaw.schemas.Result;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.HeartbeatManagerOptions;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Exactly-once across failures, on a MiniCluster of two single-slot TaskManagers and a real broker:
 * a fault in the middle of a stream of requests, the job restarts from its last checkpoint, and
 * every request still has exactly one committed result.
 */
// Each fault waits up to 3 min for every answer, a broker restart up to 90 s more.
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class FailureRecoveryIntegrationTest {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setConfiguration(fastFailureDetection())
            .setNumberTaskManagers(2).setNumberSlotsPerTaskManager(1).build());

    @RegisterExtension
    static final RealKafka kafka = new RealKafka();

    static Configuration fastFailureDetection() {
        Configuration c = new Configuration();
        c.set(HeartbeatManagerOptions.HEARTBEAT_INTERVAL, Duration.ofMillis(500));
        c.set(HeartbeatManagerOptions.HEARTBEAT_TIMEOUT, Duration.ofSeconds(5));
        return c;
    }

    /** @param restarts as the demo reads them from the REST API */
    record Outcome(ResultStats stats, boolean restarted, FlinkRest.Restarts restarts, long repeatsDropped) {
    }

    /** Requests paced over a few seconds, plans from plan.json; {@code fault} runs when half are sent. */
    Outcome serveThrough(String name, MiniCluster cluster, int n, Fault fault) throws Exception {
        return serveThrough(conf(name), cluster, n, fault, DemoJob.staticPlan());
    }

    /** Topics of their own per test, so tests do not read each other's records. */
    static Configuration conf(String name) {
        Configuration conf = DemoJob.isolated(kafka.bootstrap(), name);
        conf.set(JigsawOptions.CHECKPOINT_INTERVAL, Duration.ofMillis(300));
        return conf;
    }

    /** @param plan published first; null when a planner sidecar publishes the plans */
    Outcome serveThrough(Configuration conf, MiniCluster cluster, int n, Fault fault, Plan plan) throws Exception {
        String name = conf.get(JigsawOptions.GROUP_ID);
        ResultStats stats = new ResultStats();
        Set<String> sent = new HashSet<>();
        try (DemoJob job = DemoJob.start(conf, name);
             AvroProducer producer = new AvroProducer(kafka.bootstrap());
             DistinctResults results = new DistinctResults(new TopicReader<>(kafka.bootstrap(), job.topics.results(), Result.class))) {
            if (plan != null) {
                producer.send(job.topics.plans(), job.graph.name(), PlanAvro.toAvro(plan)).get(60, TimeUnit.SECONDS);
            }
            for (int i = 0; i < n; i++) {
                if (i == n / 2) {
                    fault.inject();
                }
                long now = System.currentTimeMillis();
                String id = name + "-" + i;
                sent.add(id);
                // A generous deadline: this is about losing and repeating nothing, not about latency.
                producer.send(job.topics.requests(), id, Frames.request(id, job.graph.name(), job.spec, now, now + 300_000, i));
                results.poll(Duration.ofMillis(40)).forEach(stats::add);
            }
            producer.flush();
            long until = System.currentTimeMillis() + 180_000;
            while (stats.answered() < n && System.currentTimeMillis() < until) {
                results.poll(Duration.ofMillis(500)).forEach(stats::add);
            }
            // Two more checkpoints' worth: a repeat committed late would show up here.
            results.poll(Duration.ofSeconds(2)).forEach(stats::add);
            assertThat(stats.ids()).as("a committed result for every request").isEqualTo(sent);
            return new Outcome(stats, cluster.getExecutionGraph(job.jobId()).get().getStatusTimestamp(JobStatus.RESTARTING) > 0,
                    new FlinkRest(cluster.getRestAddress().get().toString()).restarts(job.jobId().toString()),
                    results.repeatsDropped());
        }
    }

    /** Under every delivery: exactly-once by transactions, idempotent and at-least-once by the reader dropping repeats. */
    /** TaskManagers killed so far in this class's cluster; the next to kill is the one at this index. */
    private static final java.util.concurrent.atomic.AtomicInteger KILLS = new java.util.concurrent.atomic.AtomicInteger();

    @ParameterizedTest
    @EnumSource(value = JigsawOptions.Delivery.class, names = {"EXACTLY_ONCE", "IDEMPOTENT", "AT_LEAST_ONCE"})
    void aTaskManagerThatDiesMidStreamLosesAndRepeatsNothing(JigsawOptions.Delivery delivery, @InjectMiniCluster MiniCluster cluster)
            throws Exception {
        Configuration conf = conf("tm-kill-" + delivery.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
        conf.set(JigsawOptions.DELIVERY, delivery);
        Outcome outcome = serveThrough(conf, cluster, 120, () -> {
            // Each TaskManager has one slot and the job needs two, so the job ran on both: this kills one
            // of its replicas. A replacement comes up, as a cluster manager would start one. The cluster keeps
            // a killed TaskManager in its list: each run kills the next one, which is alive and serving.
            cluster.terminateTaskManager(KILLS.getAndIncrement()).get(60, TimeUnit.SECONDS);
            cluster.startTaskManager();
        }, DemoJob.staticPlan());

        System.out.printf("[failure IT] %s: %d results, %d repeats written and dropped by the reader, restarts %s%n", delivery,
                outcome.stats().answered(), outcome.repeatsDropped(), outcome.restarts());
        assertThat(outcome.restarted()).as("the job restarted from a checkpoint").isTrue();
        assertThat(outcome.restarts().count()).as("restarts as the demo reports them: " + outcome.restarts()).isGreaterThanOrEqualTo(1);
        assertThat(outcome.stats().duplicates()).isZero();
        assertThat(outcome.stats().dropped()).isZero();
        if (delivery.transactional()) {
            assertThat(outcome.repeatsDropped()).as("exactly once needs no help from the reader").isZero();
        }
    }

    @Test
    void aBrokerCrashMidStreamLosesAndRepeatsNothing(@InjectMiniCluster MiniCluster cluster) throws Exception {
        Outcome outcome = serveThrough("broker-crash", cluster, 120, () -> kafka.broker().restart(Duration.ofSeconds(90)));

        assertThat(outcome.stats().duplicates()).isZero();
        assertThat(outcome.stats().dropped()).isZero();
    }

    @Test
    void whenThePlannerSidecarDiesTheJobServesOnWithTheLastPlan(@InjectMiniCluster MiniCluster cluster) throws Exception {
        Configuration conf = conf("sidecar-dies");
        Topics.from(conf).create(kafka.bootstrap(), 2);
        PlannerSidecar sidecar = new PlannerSidecar(PlannerSidecarIntegrationTest.demoPlanning(), conf, line -> { });
        Thread planner = new Thread(sidecar, "planner");
        planner.start();
        long until = System.currentTimeMillis() + 60_000;
        while (sidecar.inForce() == null && System.currentTimeMillis() < until) {
            Thread.sleep(100);
        }
        assertThat(sidecar.inForce()).as("the sidecar's first plan").isNotNull();

        Outcome outcome = serveThrough(conf, cluster, 60, () -> {
            sidecar.close();
            planner.join(30_000);
        }, null);

        assertThat(planner.isAlive()).isFalse();
        assertThat(outcome.stats().duplicates()).isZero();
        assertThat(outcome.stats().dropped()).isZero();
    }

    interface Fault {
        void inject() throws Exception;
    }
}
