package io.jigsaw.job;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.plan.Partition;
import io.jigsaw.core.plan.Plan;
import io.jigsaw.core.plan.PlanAvro;
import io.jigsaw.core.plan.PlanValidator;
import io.jigsaw.core.plan.TaskPlan;
import io.jigsaw.job.client.Frames;
import io.jigsaw.job.cluster.BuildOutputs;
import io.jigsaw.job.cluster.ClusterLayout;
import io.jigsaw.job.cluster.FlinkRest;
import io.jigsaw.job.cluster.LocalCluster;
import io.jigsaw.job.cluster.PartitionManager;
import io.jigsaw.job.kafka.AvroProducer;
import io.jigsaw.job.kafka.KafkaConnection;
import io.jigsaw.job.kafka.TopicReader;
import io.jigsaw.job.kafka.Topics;
import io.jigsaw.operators.DemoGraph;
import io.jigsaw.schemas.Result;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A plan with other partitions and more replicas, enacted on a real multi-process cluster while
 * requests flow before, during and after the move: the job moves onto the new partitions' TaskManagers (stop with a savepoint, resubmit
 * with each task's new parallelism), the REST API then places every task on exactly its new
 * partitions, and every request is answered once. Runs after `package` (failsafe), which builds the jar.
 */
// Six JVMs start on 2 cores, the job starts, three more TaskManagers start, the job moves (up to 8 min in all).
@Timeout(value = 9, unit = TimeUnit.MINUTES)
class PartitionMoveIT {

    @RegisterExtension
    static final RealKafka broker = new RealKafka();

    @TempDir
    Path work;

    @Test
    void aPlanWithOtherPartitionsAndMoreReplicasIsServedAfterAMoveWithNothingLostOrDuplicated() throws Exception {
        Path home = Path.of(System.getProperty("jigsaw.examples.dir")).getParent();
        Graph graph = DemoGraph.load();
        Plan before = DemoJob.staticPlan();
        Plan after = PlanValidator.requireValid(moved(before), graph, Path.of("PartitionMoveIT"));
        Configuration conf = new Configuration();
        conf.set(JigsawOptions.BOOTSTRAP, broker.bootstrap());
        // Exactly once, so that "each request answered once" holds on the topic itself: under idempotent delivery a move,
        // like any restore, may write a result again (a batch timer fires after the savepoint), which readers drop.
        conf.set(JigsawOptions.DELIVERY, JigsawOptions.Delivery.EXACTLY_ONCE);
        Topics topics = Topics.from(conf);
        topics.create(KafkaConnection.from(conf), 2);

        LocalCluster.Settings settings = LocalCluster.Settings.ofCheckout(home, work, LoopbackPorts.free(), "1024m");
        try (LocalCluster cluster = LocalCluster.start(ClusterLayout.perPartition(before, 2), settings, Duration.ofSeconds(240),
                System.err);
             AvroProducer producer = new AvroProducer(broker.bootstrap());
             TopicReader<Result> results = new TopicReader<>(broker.bootstrap(), topics.results(), Result.class)) {
            PartitionManager manager = new PartitionManager(cluster, new PartitionManager.Submission(BuildOutputs.jobJar(home),
                    "io.jigsaw.job.cli.JobMain", List.of(
                    "--graph", home.resolve("examples/xr-scene/graph.yaml").toString(),
                    "--models-dir", System.getProperty("jigsaw.demo.models.dir"),
                    "--bootstrap", broker.bootstrap(),
                    "-D" + JigsawOptions.PIN_TO_PARTITIONS.key() + "=true",
                    "-D" + JigsawOptions.DELIVERY.key() + "=EXACTLY_ONCE",
                    "-D" + JigsawOptions.CHECKPOINT_INTERVAL.key() + "=500 ms")), 2, Duration.ofSeconds(240), System.err::println);
            producer.send(topics.plans(), graph.name(), PlanAvro.toAvro(before)).get(60, TimeUnit.SECONDS);
            manager.submit(before);

            // Requests flow before, during and after the move (until 20 after it), at a rate two cores serve; deadlines
            // outlast the pause.
            AtomicInteger sent = new AtomicInteger();
            AtomicInteger stopAt = new AtomicInteger(1_000);
            Thread sender = new Thread(() -> {
                try {
                    for (int i = 0; i < stopAt.get(); i++) {
                        long now = System.currentTimeMillis();
                        producer.send(topics.requests(), "r" + i, Frames.request("r" + i, graph.name(), graph.input().orElseThrow(),
                                now, now + 240_000, i));
                        sent.incrementAndGet();
                        Thread.sleep(250);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "requests");
            sender.start();
            Thread.sleep(3_000);
            producer.send(topics.plans(), graph.name(), PlanAvro.toAvro(after)).get(60, TimeUnit.SECONDS);
            PartitionManager.Move move = manager.move(after, "test: detect on a larger share, classify on three partitions");
            stopAt.set(sent.get() + 20);
            sender.join(60_000);
            int n = sent.get();
            assertThat(n).as("requests sent before the move ended").isLessThan(1_000);

            Map<String, Integer> answers = new HashMap<>();
            long until = System.currentTimeMillis() + 180_000;
            while (answers.size() < sent.get() && System.currentTimeMillis() < until) {
                results.poll(Duration.ofMillis(500)).forEach(r -> answers.merge(r.getRequestId(), 1, Integer::sum));
            }
            // A duplicate would arrive after the last first answer: read a little longer.
            long more = System.currentTimeMillis() + 3_000;
            while (System.currentTimeMillis() < more) {
                results.poll(Duration.ofMillis(500)).forEach(r -> answers.merge(r.getRequestId(), 1, Integer::sum));
            }
            assertThat(answers).as("one result per request across the move").hasSize(n)
                    .allSatisfy((id, count) -> assertThat(count).as(id).isOne());

            FlinkRest rest = cluster.rest();
            Map<String, List<String>> placement = rest.placement(move.jobId());
            Map<String, List<String>> planned = ClusterLayout.perPartition(after, 2).byRole();
            for (String task : List.of("detect", "classify", "depth", "fuse")) {
                assertThat(placement.get(task)).as("TaskManagers of " + task + " after the move")
                        .containsExactlyInAnyOrderElementsOf(planned.get(task));
            }
            assertThat(rest.taskManagers()).containsExactlyInAnyOrderElementsOf(ClusterLayout.perPartition(after, 2).ids());
            assertThat(move.started()).containsExactlyInAnyOrder("detect-0-gpu0-50pct", "classify-0-gpu0-20pct",
                    "classify-1-gpu1-30pct", "classify-2-gpu1-30pct", "depth-0-gpu1-20pct");
            assertThat(move.stopped()).containsExactlyInAnyOrder("detect-0-gpu0-40pct", "classify-0-gpu0-30pct", "depth-0-gpu0-20pct");
            assertThat(move.pauseMs()).isPositive().isGreaterThanOrEqualTo(move.savepointMs());
            // Three replicas of classify where the job started with one, each serving objects of the requests after the move:
            // the records each subtask read, as Flink's REST API reports them (its metric cache refreshes every few seconds).
            List<Long> perSubtask = rest.recordsInPerSubtask(move.jobId(), "classify");
            long by = System.currentTimeMillis() + 60_000;
            while (!(perSubtask.size() == 3 && perSubtask.stream().allMatch(r -> r > 0)) && System.currentTimeMillis() < by) {
                Thread.sleep(1_000);
                perSubtask = rest.recordsInPerSubtask(move.jobId(), "classify");
            }
            List<Long> serving = perSubtask;
            assertThat(serving).as("records read by each classify subtask after the move").hasSize(3).allSatisfy(r -> assertThat(r).isPositive());
            System.err.printf("[PartitionMoveIT] %d requests, each answered once; pause %d ms (savepoint %d ms), TaskManagers "
                    + "started beforehand in %d ms; records read per classify subtask: %s; before %s; after %s%n", n, move.pauseMs(),
                    move.savepointMs(), move.prepareMs(), serving, move.placementBefore(), placement);
            rest.cancel(move.jobId());
        }
    }

    /** The demo's plan moved: detect on a larger share, classify on three partitions over two GPUs, depth on the other GPU. */
    static Plan moved(Plan p) {
        TaskPlan detect = p.task("detect").orElseThrow();
        TaskPlan classify = p.task("classify").orElseThrow();
        TaskPlan depth = p.task("depth").orElseThrow();
        TaskPlan fuse = p.task("fuse").orElseThrow();
        return new Plan(p.graph(), p.version() + 1, "PartitionMoveIT", "other partitions, more replicas", List.of(
                with(detect, List.of(new Partition(0, 50))),
                with(classify, List.of(new Partition(0, 20), new Partition(1, 30), new Partition(1, 30))),
                with(depth, List.of(new Partition(1, 20))),
                fuse));
    }

    private static TaskPlan with(TaskPlan t, List<Partition> partitions) {
        return new TaskPlan(t.task(), t.variant(), t.batchSize(), t.batchTimeoutMs(), t.latencyBudgetMs(), partitions, t.adaptation());
    }
}
