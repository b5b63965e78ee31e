package io.jigsaw.job.cli;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.GraphLoader;
import io.jigsaw.core.trace.Trace;
import io.jigsaw.core.trace.TraceFiles;
import io.jigsaw.job.RealKafka;
import io.jigsaw.job.kafka.AvroProducer;
import io.jigsaw.job.kafka.TopicReader;
import io.jigsaw.job.replay.TraceReplayer;
import io.jigsaw.schemas.Request;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** `trace record` on a real broker: live requests become a trace that `simulate` and `replay` take as it is. */
class TraceRecordIntegrationTest {

    @RegisterExtension
    static final RealKafka broker = new RealKafka();

    @TempDir
    Path dir;

    private static void createTopic(String name, int partitions) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap()))) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void theRequestsOfATopicBecomeATraceThatSimulateAndReplayTake() throws Exception {
        createTopic("recorded", 2);
        Path examples = Path.of(System.getProperty("jigsaw.examples.dir"), "xr-scene");
        Graph graph = GraphLoader.load(examples.resolve("graph.yaml"));
        Path original = dir.resolve("original.csv");
        StringBuilder text = new StringBuilder("timestamp_ms\n");
        IntStream.range(0, 50).forEach(i -> text.append(i * 20).append('\n'));
        Files.writeString(original, text);
        long before = System.currentTimeMillis();
        try (AvroProducer producer = new AvroProducer(broker.bootstrap())) {
            producer.connect("recorded");
            // Someone else's record on the topic: skipped and counted, not a reason to stop.
            producer.sendBytes("recorded", "junk", null).get(30, TimeUnit.SECONDS);
            new TraceReplayer(producer, "recorded", List.of(graph), new double[] {1}, "live-")
                    .replay(TraceFiles.open(original.toString()), 1, 1, 1, () -> false, (n, total) -> { });
        }

        Path recorded = dir.resolve("arrivals.csv");
        JigsawCliTest.Run run = JigsawCliTest.run("trace", "record", "--bootstrap", broker.bootstrap(), "--topic", "recorded",
                "--from", Long.toString(before), "--out", recorded.toString());

        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).contains("50 arrivals written").contains("1 other records skipped");
        Trace trace = TraceFiles.open(recorded.toString());
        assertThat(trace.size()).isEqualTo(50);
        assertThat(trace.graphs()).containsOnly("xr-scene");
        // Sent every 20 ms: the recorded span is the replay's, to the producer's scheduling.
        assertThat(trace.durationMs()).isCloseTo(980, within(150.0));

        JigsawCliTest.Run simulated = JigsawCliTest.run("simulate", "--graph", examples.resolve("graph.yaml").toString(), "--profile",
                examples.resolve("profile-cpu-2t.csv").toString(), "--gpus", "1", "--no-replan", "--trace", recorded.toString(), "--json");
        assertThat(simulated.code()).as(simulated.err()).isZero();
        assertThat(simulated.out()).contains("\"requests\":50");

        createTopic("replayed", 1);
        long sent;
        try (AvroProducer producer = new AvroProducer(broker.bootstrap())) {
            sent = new TraceReplayer(producer, "replayed", List.of(graph), new double[] {1}, "again-")
                    .replay(trace, 4, 1, 1, () -> false, (n, total) -> { });
        }
        assertThat(sent).isEqualTo(50);
        try (TopicReader<Request> reader = new TopicReader<>(broker.bootstrap(), "replayed", Request.class)) {
            assertThat(reader.readToEnd(Duration.ofSeconds(30))).hasSize(50);
        }
    }

    @Test
    void anEndBeforeTheStartIsAnError() {
        JigsawCliTest.Run run = JigsawCliTest.run("trace", "record", "--bootstrap", broker.bootstrap(), "--from", "10m", "--until", "1h",
                "--out", dir.resolve("x.csv").toString());

        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("--until").contains("before --from");
    }
}
