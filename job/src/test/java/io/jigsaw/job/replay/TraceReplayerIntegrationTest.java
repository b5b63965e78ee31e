package io.jigsaw.job.replay;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.GraphLoader;
import io.jigsaw.core.trace.Trace;
import io.jigsaw.core.trace.TraceFiles;
import io.jigsaw.job.RealKafka;
import io.jigsaw.job.kafka.AvroProducer;
import io.jigsaw.job.kafka.TopicReader;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Replays into a real KRaft broker and reads the topic back. */
class TraceReplayerIntegrationTest {

    @RegisterExtension
    static final RealKafka broker = new RealKafka();

    @TempDir
    Path dir;

    private static Graph demoGraph() {
        return GraphLoader.load(Path.of(System.getProperty("jigsaw.examples.dir"), "xr-scene", "graph.yaml"));
    }

    private static void createTopic(String name) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap()))) {
            admin.createTopics(List.of(new NewTopic(name, 1, (short) 1))).all().get(60, TimeUnit.SECONDS);
        }
    }

    private static List<Request> readAll(String topic, int expected) {
        List<Request> out = new ArrayList<>();
        try (TopicReader<Request> reader = new TopicReader<>(broker.bootstrap(), topic, Request.class)) {
            long until = System.currentTimeMillis() + 30_000;
            while (out.size() < expected && System.currentTimeMillis() < until) {
                out.addAll(reader.poll(Duration.ofMillis(200)));
            }
            out.addAll(reader.poll(Duration.ofMillis(500)));
        }
        return out;
    }

    @Test
    void publishesEveryArrivalOfEveryLoopInOrderAtTheTracesPace() throws Exception {
        createTopic("replay-order");
        Path csv = dir.resolve("trace.csv");
        StringBuilder text = new StringBuilder("timestamp_ms\n");
        IntStream.range(0, 40).forEach(i -> text.append(i * 20).append('\n'));
        Files.writeString(csv, text);
        Trace trace = TraceFiles.open(csv.toString());
        Graph graph = demoGraph();

        long start = System.nanoTime();
        long sent;
        try (AvroProducer producer = new AvroProducer(broker.bootstrap())) {
            sent = new TraceReplayer(producer, "replay-order", List.of(graph), new double[] {1}, "r-")
                    .replay(trace, 2, 2, 1, () -> false, (n, total) -> { });
        }
        double elapsedMs = (System.nanoTime() - start) / 1e6;

        List<Request> got = readAll("replay-order", 80);
        assertThat(sent).isEqualTo(80);
        assertThat(got).hasSize(80);
        assertThat(got.stream().map(r -> r.getRequestId().toString()).toList())
                .isEqualTo(IntStream.range(0, 80).mapToObj(i -> "r-" + i).toList());
        for (int i = 1; i < got.size(); i++) {
            assertThat(got.get(i).getEventTimeMs()).isGreaterThanOrEqualTo(got.get(i - 1).getEventTimeMs());
        }
        assertThat(got).allSatisfy(r -> {
            assertThat(r.getGraph().toString()).isEqualTo("xr-scene");
            assertThat(r.getDeadlineMs() - r.getEventTimeMs()).isEqualTo((long) graph.latencySloMs());
        });
        // Two loops of an 800 ms trace at speed 2: the last request goes out at about 800 ms, not at once.
        assertThat(elapsedMs).isGreaterThan(700);
    }

    @Test
    void aGraphTheReplayWasNotGivenIsAnErrorNamingTheArrival() throws Exception {
        createTopic("replay-unknown");
        Path csv = dir.resolve("mixed.csv");
        Files.writeString(csv, "timestamp_ms,graph\n0,xr-scene\n10,other-app\n");
        Trace trace = TraceFiles.open(csv.toString());

        try (AvroProducer producer = new AvroProducer(broker.bootstrap())) {
            TraceReplayer replayer = new TraceReplayer(producer, "replay-unknown", List.of(demoGraph()), new double[] {1}, "u-");
            assertThatThrownBy(() -> replayer.replay(trace, 1, 1, 1, () -> false, (n, total) -> { }))
                    .hasMessageContaining("arrival 2").hasMessageContaining("other-app");
        }
    }
}
