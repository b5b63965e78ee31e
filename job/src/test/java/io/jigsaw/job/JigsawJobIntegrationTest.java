package io.jigsaw.job;

import io.jigsaw.core.graph.TensorSpec;
import io.jigsaw.core.plan.Plan;
import io.jigsaw.core.plan.PlanAvro;
import io.jigsaw.core.plan.PlanFile;
import io.jigsaw.job.client.Frames;
import io.jigsaw.job.kafka.AvroProducer;
import io.jigsaw.job.kafka.TopicReader;
import io.jigsaw.schemas.DeadLetter;
import io.jigsaw.schemas.Result;
import io.jigsaw.schemas.TaskOutput;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The whole job on a Flink MiniCluster against a real KRaft broker, with the DJL TensorFlow runner. */
// Waits up to 3 min for the answers to a burst with three plan changes.
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class JigsawJobIntegrationTest {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    @RegisterExtension
    static final RealKafka broker = new RealKafka();

    static void awaitResults(TopicReader<Result> results, List<Result> all, Map<String, Result> byId, int count) {
        long until = System.currentTimeMillis() + 120_000;
        while (all.size() < count && System.currentTimeMillis() < until) {
            for (Result r : results.poll(Duration.ofMillis(500))) {
                all.add(r);
                byId.put(r.getRequestId(), r);
            }
        }
        assertThat(all).as("results before the plan switch").hasSizeGreaterThanOrEqualTo(count);
    }

    @Test
    void everyRequestGetsOneResultBadRecordsGetDeadLettersAndAPlanSwitchIsApplied() throws Exception {
        Configuration conf = new Configuration();
        conf.set(JigsawOptions.BOOTSTRAP, broker.bootstrap());
        conf.set(JigsawOptions.REPLICA_SLOTS, 2);
        conf.set(JigsawOptions.CLEANUP_AFTER_DEADLINE, Duration.ofSeconds(5));

        Path examples = Path.of(System.getProperty("jigsaw.examples.dir"), "xr-scene");
        Plan steady = PlanFile.read(examples.resolve("plan.json"));
        Plan burst = PlanFile.read(examples.resolve("plan-burst.json"));
        int n = 60;
        Set<String> sent = new HashSet<>();

        try (DemoJob job = DemoJob.start(conf, "jigsaw-it");
             AvroProducer producer = new AvroProducer(broker.bootstrap());
             TopicReader<Result> results = new TopicReader<>(broker.bootstrap(), job.topics.results(), Result.class);
             TopicReader<DeadLetter> deadLetters = new TopicReader<>(broker.bootstrap(), job.topics.deadLetters(), DeadLetter.class)) {
            producer.send(job.topics.plans(), job.graph.name(), PlanAvro.toAvro(steady)).get(60, TimeUnit.SECONDS);
            Map<String, Result> byId = new HashMap<>();
            List<Result> all = new ArrayList<>();
            // A generous deadline: this test is about losing nothing, not about latency.
            long deadlineSlack = 120_000;
            for (int i = 0; i < n; i++) {
                if (i == n / 2) {
                    // Switch plans while the job is serving: wait until the first half is through.
                    awaitResults(results, all, byId, n / 2);
                    producer.send(job.topics.plans(), job.graph.name(), PlanAvro.toAvro(burst)).get(60, TimeUnit.SECONDS);
                    Plan unknownVariant = new Plan(job.graph.name(), 3, "it", "", List.of(
                            new io.jigsaw.core.plan.TaskPlan("detect", "detect-xl", 1, 1, 1, burst.tasks().get(0).partitions())));
                    producer.send(job.topics.plans(), job.graph.name(), PlanAvro.toAvro(unknownVariant)).get(60, TimeUnit.SECONDS);
                    Thread.sleep(1500);
                }
                long now = System.currentTimeMillis();
                String id = "it-" + i;
                sent.add(id);
                producer.send(job.topics.requests(), id, Frames.request(id, job.graph.name(), job.spec, now, now + deadlineSlack, i));
                Thread.sleep(40);
            }
            producer.sendBytes(job.topics.requests(), "garbage", new byte[] {1, 2, 3, 4, 5}).get(60, TimeUnit.SECONDS);
            long now = System.currentTimeMillis();
            producer.send(job.topics.requests(), "other", Frames.request("bad-graph", "other-app", job.spec, now, 0, 1)).get(60, TimeUnit.SECONDS);
            producer.send(job.topics.requests(), "shape", Frames.request("bad-shape", job.graph.name(),
                    new TensorSpec(List.of(32, 32, 3), "float32"), now, 0, 1)).get(60, TimeUnit.SECONDS);

            List<DeadLetter> dead = new ArrayList<>();
            long until = System.currentTimeMillis() + 180_000;
            while ((all.size() < n || dead.size() < 4) && System.currentTimeMillis() < until) {
                for (Result r : results.poll(Duration.ofMillis(500))) {
                    all.add(r);
                    byId.put(r.getRequestId(), r);
                }
                dead.addAll(deadLetters.poll(Duration.ofMillis(100)));
            }
            results.poll(Duration.ofSeconds(2)).forEach(all::add); // anything extra would be a duplicate

            assertThat(all).as("one result per request, none extra").hasSize(n);
            assertThat(byId.keySet()).isEqualTo(sent);
            assertThat(all).allSatisfy(r -> {
                assertThat(r.getDropped()).as(r.getDropReason()).isFalse();
                assertThat(r.getSloMet()).isTrue();
                assertThat(r.getVariants()).containsKeys("detect", "fuse");
                assertThat(r.getAccuracy()).isBetween(0.01, 1.0);
                // detect, then per object classify and depth, then fuse once on the joined branches.
                assertThat(r.getTaskRuns()).isEqualTo(2 + 2 * r.getObjects().size());
                assertThat(r.getObjects()).hasSizeLessThanOrEqualTo(8).allSatisfy(o -> {
                    assertThat(o.getBox()).hasSize(4);
                    assertThat(o.getOutputs()).extracting(TaskOutput::getTask).containsExactly("classify", "depth");
                    assertThat(o.getOutputs().get(0).getLabels()).hasSize(3);
                });
                assertThat(r.getOutputs()).singleElement().satisfies(o -> assertThat(o.getTask()).isEqualTo("fuse"));
                // decode → deduplicate → detect → classify|depth → join → fuse → assemble
                assertThat(r.getHops()).isEqualTo(6);
                assertThat(r.getModelMs()).isPositive();
                assertThat(r.getTransferMs() + r.getQueueMs() + r.getModelMs()).as("breakdown within the latency")
                        .isLessThanOrEqualTo(r.getLatencyMs() + 1.0);
            });
            assertThat(all).anySatisfy(r -> assertThat(r.getVariants()).containsEntry("detect", "detect-m"));
            assertThat(all).anySatisfy(r -> {
                assertThat(r.getPlanVersion()).isEqualTo(2);
                assertThat(r.getVariants()).containsEntry("detect", "detect-s").containsEntry("classify", "classify-s");
            });
            assertThat(dead).extracting(DeadLetter::getReason).anySatisfy(reason -> assertThat(reason).startsWith("not an Avro Request"))
                    .anySatisfy(reason -> assertThat(reason).contains("unknown graph 'other-app'"))
                    .anySatisfy(reason -> assertThat(reason).contains("payload shape [32, 32, 3] does not match"))
                    .anySatisfy(reason -> assertThat(reason).contains("unknown variant 'detect-xl'"));
            assertThat(dead).filteredOn(d -> d.getRequestId().equals("bad-shape")).singleElement()
                    .satisfies(d -> assertThat(d.getOriginal().remaining()).isGreaterThan(32 * 32 * 3 * 4));
        }
    }
}
