package io.jigsaw.job;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.plan.Plan;
import io.jigsaw.core.plan.PlanAvro;
import io.jigsaw.job.client.Frames;
import io.jigsaw.job.cluster.BuildOutputs;
import io.jigsaw.job.cluster.ClusterLayout;
import io.jigsaw.job.cluster.FlinkRest;
import io.jigsaw.job.cluster.LocalCluster;
import io.jigsaw.job.kafka.AvroProducer;
import io.jigsaw.job.kafka.KafkaConnection;
import io.jigsaw.job.kafka.TopicReader;
import io.jigsaw.job.kafka.Topics;
import io.jigsaw.job.topology.Placement;
import io.jigsaw.operators.DemoGraph;
import io.jigsaw.schemas.Result;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The job jar on a real multi-process Flink session cluster (a JobManager and one TaskManager per
 * partition of examples/xr-scene/plan.json, each its own JVM), submitted through the REST API as a
 * user would, with a real broker. Runs after `package` (failsafe), which builds the jar.
 */
// Six JVMs start on 2 cores (up to 4 min allowed), then the job runs and answers (up to 3 min).
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class LocalClusterIT {

    @RegisterExtension
    static final RealKafka broker = new RealKafka();

    @TempDir
    Path work;

    @Test
    void theJobJarServesOnSeparateProcessesWithEveryTaskOnItsOwnPartition() throws Exception {
        Path home = Path.of(System.getProperty("jigsaw.examples.dir")).getParent();
        Graph graph = DemoGraph.load();
        Plan plan = DemoJob.staticPlan();
        Configuration conf = new Configuration();
        conf.set(JigsawOptions.BOOTSTRAP, broker.bootstrap());
        conf.set(JigsawOptions.REPLICA_SLOTS, 2);
        Topics topics = Topics.from(conf);
        topics.create(KafkaConnection.from(conf), 2);

        ClusterLayout layout = ClusterLayout.of(plan, 2);
        LocalCluster.Settings settings = LocalCluster.Settings.ofCheckout(home, work, LoopbackPorts.free(), "1024m");
        try (LocalCluster cluster = LocalCluster.start(layout, settings, Duration.ofSeconds(240), System.err);
             AvroProducer producer = new AvroProducer(broker.bootstrap());
             TopicReader<Result> results = new TopicReader<>(broker.bootstrap(), topics.results(), Result.class)) {
            FlinkRest rest = cluster.rest();
            List<String> ids = layout.taskManagers().stream().map(ClusterLayout.TaskManager::id).toList();
            assertThat(rest.taskManagers()).containsExactlyInAnyOrderElementsOf(ids);
            assertThat(cluster.state().members()).extracting(LocalCluster.Member::pid)
                    .doesNotHaveDuplicates().doesNotContain(ProcessHandle.current().pid());

            producer.send(topics.plans(), graph.name(), PlanAvro.toAvro(plan)).get(60, TimeUnit.SECONDS);
            String jar = rest.uploadJar(BuildOutputs.jobJar(home));
            String jobId = rest.runJar(jar, "io.jigsaw.job.cli.JobMain", List.of(
                    "--graph", home.resolve("examples/xr-scene/graph.yaml").toString(),
                    "--models-dir", System.getProperty("jigsaw.demo.models.dir"),
                    "--bootstrap", broker.bootstrap(),
                    "-D" + JigsawOptions.REPLICA_SLOTS.key() + "=2",
                    "-D" + JigsawOptions.PIN_TO_PARTITIONS.key() + "=true"));
            rest.awaitRunning(jobId, Duration.ofSeconds(240));

            int n = 24;
            long now = System.currentTimeMillis();
            for (int i = 0; i < n; i++) {
                producer.send(topics.requests(), "r" + i, Frames.request("r" + i, graph.name(), graph.input().orElseThrow(),
                        now, now + 120_000, i));
            }
            Map<String, Integer> answers = new HashMap<>();
            long until = System.currentTimeMillis() + 180_000;
            while (answers.size() < n && System.currentTimeMillis() < until) {
                results.poll(Duration.ofMillis(500)).forEach(r -> answers.merge(r.getRequestId(), 1, Integer::sum));
            }
            assertThat(answers).as("one result per request").hasSize(n).allSatisfy((id, count) -> assertThat(count).isOne());

            // Where each operator ran, as the REST API (and the dashboard) reports it.
            Map<String, List<String>> placement = rest.placement(jobId);
            Map<String, List<String>> expected = new HashMap<>();
            for (ClusterLayout.TaskManager tm : layout.taskManagers()) {
                expected.computeIfAbsent(tm.role(), r -> new ArrayList<>()).add(tm.id());
            }
            for (var e : placement.entrySet()) {
                String role = graph.task(e.getKey()).isPresent() ? e.getKey() : Placement.IO;
                assertThat(e.getValue()).as("TaskManagers of operator " + e.getKey())
                        .isNotEmpty().isSubsetOf(expected.get(role));
            }
            assertThat(placement).containsKeys("detect", "classify", "depth", "fuse");
            rest.cancel(jobId);
        }
    }
}
