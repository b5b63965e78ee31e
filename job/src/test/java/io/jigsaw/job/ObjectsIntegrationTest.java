package io.jigsaw.job;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.GraphLoader;
import io.jigsaw.core.graph.TensorSpec;
import io.jigsaw.core.plan.Partition;
import io.jigsaw.core.plan.Plan;
import io.jigsaw.core.plan.PlanAvro;
import io.jigsaw.core.plan.TaskPlan;
import io.jigsaw.job.kafka.AvroProducer;
import io.jigsaw.job.kafka.TopicReader;
import io.jigsaw.schemas.DeadLetter;
import io.jigsaw.schemas.DetectedObject;
import io.jigsaw.schemas.Request;
import io.jigsaw.schemas.Result;
import io.jigsaw.schemas.Tensor;
import io.jigsaw.schemas.Truth;
import io.jigsaw.schemas.TruthObject;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jigsaw.job.cli.JigsawCliTest;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real data along the graph, end to end on a MiniCluster and a real broker: frames with white squares
 * in known cells go through the hand-set brightness detector of examples/bright-squares; each
 * result lists exactly those squares, with their boxes, and what the classifier said of each crop.
 */
class ObjectsIntegrationTest {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    @RegisterExtension
    static final RealKafka kafka = new RealKafka();

    static Graph brightSquares() {
        return GraphLoader.load(Path.of(System.getProperty("jigsaw.examples.dir"), "bright-squares", "graph.yaml"))
                .withModelsDir(System.getProperty("jigsaw.bright-squares.models.dir"));
    }

    /** A black 64x64 frame, white in the given cells of its 4x4 grid (cell = row * 4 + column). */
    static Tensor squares(int... cells) {
        ByteBuffer b = ByteBuffer.allocate(64 * 64 * 3 * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                int cell = (y / 16) * 4 + x / 16;
                float v = java.util.Arrays.stream(cells).anyMatch(c -> c == cell) ? 1f : 0f;
                for (int ch = 0; ch < 3; ch++) {
                    b.putFloat(v);
                }
            }
        }
        b.flip();
        return Tensor.newBuilder().setData(b).setShape(List.of(64, 64, 3)).setDtype(TensorSpec.FLOAT32).build();
    }

    static Plan plan(Graph graph) {
        return new Plan(graph.name(), 1, "test", "", List.of(
                new TaskPlan("find", "find-bright", 1, 0, 500, List.of(new Partition(0, 50))),
                new TaskPlan("name", "name-s", 1, 0, 500, List.of(new Partition(0, 50)))));
    }

    /** The frame's truth: one object of this label per white cell. */
    static Truth truth(String label, int... cells) {
        List<TruthObject> objects = new ArrayList<>();
        for (int cell : cells) {
            objects.add(new TruthObject(label, box(cell), 2f));
        }
        return new Truth(objects);
    }

    /** One request with a generous deadline, answered: the job is deployed and its models loaded (a 1 s SLO follows). */
    static void warmUp(DemoJob job, AvroProducer producer) throws Exception {
        long now = System.currentTimeMillis();
        warmUp(job, producer, Request.newBuilder().setRequestId("warm-up").setGraph(job.graph.name())
                .setEventTimeMs(now).setDeadlineMs(now + 120_000).setPayload(squares(0)).build());
    }

    /** Sends {@code request} (a generous deadline) and waits for its result. */
    static void warmUp(DemoJob job, AvroProducer producer, Request request) throws Exception {
        producer.send(job.topics.requests(), request.getRequestId(), request).get(60, TimeUnit.SECONDS);
        try (TopicReader<Result> results = new TopicReader<>(kafka.bootstrap(), job.topics.results(), Result.class)) {
            long until = System.currentTimeMillis() + 120_000;
            boolean answered = false;
            while (!answered) {
                answered = results.poll(Duration.ofMillis(500)).stream().anyMatch(r -> r.getRequestId().equals(request.getRequestId()));
                assertThat(System.currentTimeMillis()).as("the warm-up request's result").isLessThan(until);
            }
        }
    }

    static List<Float> box(int cell) {
        float c = cell % 4;
        float r = cell / 4;
        return List.of(c / 4, r / 4, (c + 1) / 4, (r + 1) / 4);
    }

    @Test
    void eachResultListsExactlyTheSquaresInItsFrameWithTheirBoxes() throws Exception {
        Graph graph = brightSquares();
        Configuration conf = DemoJob.isolated(kafka.bootstrap(), "squares");
        Map<String, int[]> frames = new HashMap<>();
        frames.put("none", new int[] {});
        frames.put("one", new int[] {5});
        frames.put("two", new int[] {0, 15});
        frames.put("four", new int[] {3, 6, 9, 12});
        try (DemoJob job = DemoJob.start(graph, conf, "jigsaw: squares");
             AvroProducer producer = new AvroProducer(kafka.bootstrap());
             TopicReader<Result> results = new TopicReader<>(kafka.bootstrap(), job.topics.results(), Result.class)) {
            producer.send(job.topics.plans(), graph.name(), PlanAvro.toAvro(plan(graph))).get(60, TimeUnit.SECONDS);
            long now = System.currentTimeMillis();
            for (Map.Entry<String, int[]> f : frames.entrySet()) {
                producer.send(job.topics.requests(), f.getKey(), Request.newBuilder().setRequestId(f.getKey()).setGraph(graph.name())
                        .setEventTimeMs(now).setDeadlineMs(now + 120_000).setPayload(squares(f.getValue()))
                        .setTruth(truth("square", f.getValue())).build())
                        .get(60, TimeUnit.SECONDS);
            }
            // A truth the graph cannot score against: the request is served, its truth goes to dead-letters.
            producer.send(job.topics.requests(), "mislabelled", Request.newBuilder().setRequestId("mislabelled").setGraph(graph.name())
                    .setEventTimeMs(now).setDeadlineMs(now + 120_000).setPayload(squares(5)).setTruth(truth("dog", 5)).build())
                    .get(60, TimeUnit.SECONDS);

            Map<String, Result> byId = new HashMap<>();
            List<DeadLetter> dead = new ArrayList<>();
            long until = System.currentTimeMillis() + 120_000;
            try (TopicReader<DeadLetter> deadLetters = new TopicReader<>(kafka.bootstrap(), job.topics.deadLetters(), DeadLetter.class)) {
                while ((byId.size() < frames.size() + 1 || dead.isEmpty()) && System.currentTimeMillis() < until) {
                    results.poll(Duration.ofMillis(500)).forEach(r -> byId.put(r.getRequestId(), r));
                    dead.addAll(deadLetters.poll(Duration.ofMillis(100)));
                }
            }

            Result mislabelled = byId.remove("mislabelled");
            assertThat(mislabelled.getDropped()).isFalse();
            assertThat(mislabelled.getAccuracyMeasured()).isNull();
            assertThat(mislabelled.getTruthRejected()).contains("unknown label 'dog'");
            assertThat(dead).singleElement().satisfies(d -> {
                assertThat(d.getStage()).isEqualTo("decode-truth");
                assertThat(d.getRequestId()).isEqualTo("mislabelled");
            });
            assertThat(byId).containsOnlyKeys(frames.keySet());
            frames.forEach((id, cells) -> {
                Result r = byId.get(id);
                assertThat(r.getDropped()).as(r.getDropReason()).isFalse();
                // Equal scores: the cells come in their own order, find:0 the first of them.
                List<List<Float>> expected = new ArrayList<>();
                for (int cell : cells) {
                    expected.add(box(cell));
                }
                assertThat(r.getObjects()).as(id).extracting(DetectedObject::getBox).containsExactlyElementsOf(expected);
                assertThat(r.getObjects()).extracting(DetectedObject::getId)
                        .containsExactlyElementsOf(java.util.stream.IntStream.range(0, cells.length).mapToObj(i -> "find:" + i).toList());
                assertThat(r.getObjects()).allSatisfy(o -> {
                    assertThat(o.getScore()).isGreaterThan(0.99f);
                    assertThat(o.getOutputs()).singleElement().satisfies(out -> {
                        assertThat(out.getTask()).isEqualTo("name");
                        assertThat(out.getLabels()).hasSize(2);
                        assertThat(out.getTensors().get("probabilities")).hasSize(3);
                    });
                });
                assertThat(r.getTaskRuns()).isEqualTo(1 + cells.length);
                // Scored against the truth sent with it: the hand-set detector finds exactly the squares (F1 1), and the
                // measured accuracy is the path's product of scores (both tasks' best offline accuracy is the declared 1).
                assertThat(r.getTaskScores()).containsEntry("find", 1.0);
                double name = r.getTaskScores().getOrDefault("name", 1.0);
                assertThat(r.getAccuracyMeasured()).isCloseTo(name, org.assertj.core.api.Assertions.within(1e-9));
                assertThat(r.getTaskScores().containsKey("name")).isEqualTo(cells.length > 0);
            });
        }
    }

    @Test
    void aPictureSentWithSendIsAnsweredAndReadWithResults(@TempDir Path dir) throws Exception {
        Graph graph = brightSquares();
        Configuration conf = DemoJob.isolated(kafka.bootstrap(), "pictures");
        // A 128x128 picture, white in its top-left 64x64: cells 0, 1, 4 and 5 of the 64x64 frame's 4x4 grid.
        BufferedImage picture = new BufferedImage(128, 128, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = picture.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 64, 64);
        g.dispose();
        Path png = dir.resolve("square.png");
        ImageIO.write(picture, "png", png.toFile());
        Path notes = Files.writeString(dir.resolve("notes.txt"), "not a picture");
        Path graphFile = Path.of(System.getProperty("jigsaw.examples.dir"), "bright-squares", "graph.yaml");
        try (DemoJob job = DemoJob.start(graph, conf, "jigsaw: pictures");
             AvroProducer producer = new AvroProducer(kafka.bootstrap())) {
            producer.send(job.topics.plans(), graph.name(), PlanAvro.toAvro(plan(graph))).get(60, TimeUnit.SECONDS);
            warmUp(job, producer);

            JigsawCliTest.Run sent = JigsawCliTest.run("send", "--bootstrap", kafka.bootstrap(), "--graph", graphFile.toString(),
                    "--topic", job.topics.requests(), png.toString(), notes.toString());

            assertThat(sent.code()).as("one file was no picture").isEqualTo(1);
            assertThat(sent.err()).contains("notes.txt: not a JPEG or PNG picture");
            String id = sent.out().strip().split(" ")[1];
            assertThat(sent.out().strip()).isEqualTo(png + " " + id);

            JigsawCliTest.Run read = JigsawCliTest.run("results", "--bootstrap", kafka.bootstrap(), "--topic", job.topics.results(),
                    "--from-beginning", "--request-id", id, "--json", "--idle", "60");

            assertThat(read.code()).as(read.err()).isZero();
            JsonNode answer = new ObjectMapper().readTree(read.out());
            assertThat(answer.path("request_id").asText()).isEqualTo(id);
            List<String> boxes = new ArrayList<>();
            answer.path("objects").forEach(o -> boxes.add(o.path("box").toString()));
            assertThat(boxes).as(read.out()).containsExactly("[0.0,0.0,0.25,0.25]", "[0.25,0.0,0.5,0.25]", "[0.0,0.25,0.25,0.5]", "[0.25,0.25,0.5,0.5]");
            assertThat(answer.path("objects").get(0).path("outputs").path("name").path("labels")).hasSize(2);

            JigsawCliTest.Run readable = JigsawCliTest.run("results", "--bootstrap", kafka.bootstrap(), "--topic", job.topics.results(),
                    "--from-beginning", "--request-id", id);
            assertThat(readable.out()).startsWith(id + "  latency ").contains("4 object(s)").contains("find:0     box [0.00 0.00 0.25 0.25]");
        }
    }

    /**
     * `send` sends the demo's pictures encoded by default — and a Full HD JPEG of one of them: the job decodes them
     * into the very frames `send --raw` sends.
     */
    @Test
    void theDemosPicturesSentEncodedGetTheAnswersTheirRawTensorsGet(@TempDir Path dir) throws Exception {
        Configuration conf = DemoJob.isolated(kafka.bootstrap(), "encoded-pictures");
        conf.set(io.jigsaw.job.JigsawOptions.TOPIC_RESULTS_JSON, "encoded-pictures-results-json");
        Path pictures = Path.of(System.getProperty("jigsaw.examples.dir"), "xr-scene", "pictures");
        List<String> files = new ArrayList<>();
        try (var listed = Files.list(pictures)) {
            listed.map(Path::toString).sorted().forEach(files::add);
        }
        BufferedImage scene = ImageIO.read(new java.io.File(files.get(0)));
        BufferedImage hd = new BufferedImage(1920, 1080, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = hd.createGraphics();
        g.setRenderingHint(java.awt.RenderingHints.KEY_INTERPOLATION, java.awt.RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(scene, 0, 0, 1920, 1080, null);
        g.dispose();
        Path jpeg = dir.resolve("full-hd.jpg");
        ImageIO.write(hd, "jpeg", jpeg.toFile());
        files.add(jpeg.toString());
        // The answers are what this test compares, not their latency: a 60 s SLO, so a busy machine drops none of them as late.
        try (DemoJob job = DemoJob.start(io.jigsaw.operators.DemoGraph.load().withLatencySlo(60_000), conf, "jigsaw: encoded pictures");
             AvroProducer producer = new AvroProducer(kafka.bootstrap())) {
            producer.send(job.topics.plans(), job.graph.name(), PlanAvro.toAvro(DemoJob.staticPlan())).get(60, TimeUnit.SECONDS);
            // Models loaded and the picture decoder warm before the pictures go.
            warmUp(job, producer);
            long now = System.currentTimeMillis();
            warmUp(job, producer, io.jigsaw.job.client.Frames.encoded("warm-up-picture", job.graph.name(), now, now + 120_000, "image/png",
                    Files.readAllBytes(Path.of(files.get(0)))).build());
            Map<String, JsonNode> encoded = sendAndRead(job, files, false);
            Map<String, JsonNode> raw = sendAndRead(job, files, true);

            assertThat(encoded.keySet()).containsExactlyElementsOf(files);
            assertThat(encoded.get(jpeg.toString()).path("outputs").path("fuse").path("labels")).as("the Full HD JPEG answered").isNotEmpty();
            for (String f : files) {
                assertThat(encoded.get(f).path("dropped").asBoolean()).as(f).isFalse();
                // The same frames: the same objects and answers, up to the last float bit a batch's other members can move.
                assertSameAnswer(f + " objects", encoded.get(f).path("objects"), raw.get(f).path("objects"));
                assertSameAnswer(f + " scene answer", encoded.get(f).path("outputs"), raw.get(f).path("outputs"));
                assertThat(encoded.get(f).path("outputs").path("fuse").path("labels").get(0).path("label"))
                        .isEqualTo(raw.get(f).path("outputs").path("fuse").path("labels").get(0).path("label"));
            }
            // The JSON mirror (jigsaw.topic.results-json) holds each answer as `results --json` prints it, readable without Avro.
            Map<String, JsonNode> mirrored = jsonMirror("encoded-pictures-results-json", encoded.size() + raw.size() + 2);
            for (JsonNode answer : encoded.values()) {
                assertThat(mirrored.get(answer.path("request_id").asText())).as("the JSON mirror's record").isEqualTo(answer);
            }
        }
    }

    /** Request id → the JSON record, read with a plain string consumer until {@code expected} records came (60 s at most). */
    private static Map<String, JsonNode> jsonMirror(String topic, int expected) throws Exception {
        java.util.Properties p = new java.util.Properties();
        p.put("bootstrap.servers", kafka.bootstrap());
        p.put("group.id", "json-mirror-" + System.nanoTime());
        p.put("auto.offset.reset", "earliest");
        p.put("isolation.level", "read_committed");
        Map<String, JsonNode> out = new java.util.LinkedHashMap<>();
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<String, String>(p,
                new org.apache.kafka.common.serialization.StringDeserializer(), new org.apache.kafka.common.serialization.StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long until = System.currentTimeMillis() + 60_000;
            while (out.size() < expected && System.currentTimeMillis() < until) {
                for (var r : consumer.poll(java.time.Duration.ofMillis(500))) {
                    JsonNode n = new ObjectMapper().readTree(r.value());
                    out.put(n.path("request_id").asText(), n);
                }
            }
        }
        return out;
    }

    /** Equal JSON, numbers within 1e-5. */
    private static void assertSameAnswer(String what, JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            assertThat(a.asDouble()).as(what).isCloseTo(b.asDouble(), org.assertj.core.api.Assertions.within(1e-5));
            return;
        }
        assertThat(a.getNodeType()).as(what).isEqualTo(b.getNodeType());
        if (a.isContainerNode()) {
            assertThat(a.size()).as(what).isEqualTo(b.size());
            if (a.isArray()) {
                for (int i = 0; i < a.size(); i++) {
                    assertSameAnswer(what + "[" + i + "]", a.get(i), b.get(i));
                }
            } else {
                a.fieldNames().forEachRemaining(n -> assertSameAnswer(what + "." + n, a.get(n), b.path(n)));
            }
        } else {
            assertThat(a).as(what).isEqualTo(b);
        }
    }

    /** Each file's answer, read back with `results --json` (generous deadlines: models may still be loading). */
    private static Map<String, JsonNode> sendAndRead(DemoJob job, List<String> files, boolean raw) throws Exception {
        List<String> args = new ArrayList<>(List.of("send", "--bootstrap", kafka.bootstrap(), "--topic", job.topics.requests(), "--graph",
                Path.of(System.getProperty("jigsaw.examples.dir"), "xr-scene", "graph.yaml").toString()));
        if (raw) {
            args.add("--raw");
        }
        args.addAll(files);
        JigsawCliTest.Run sent = JigsawCliTest.run(args.toArray(String[]::new));
        assertThat(sent.code()).as(sent.err()).isZero();
        Map<String, JsonNode> out = new java.util.LinkedHashMap<>();
        for (String line : sent.out().strip().split("\n")) {
            String[] fileAndId = line.split(" ");
            JigsawCliTest.Run read = JigsawCliTest.run("results", "--bootstrap", kafka.bootstrap(), "--topic", job.topics.results(),
                    "--from-beginning", "--request-id", fileAndId[1], "--json", "--idle", "90");
            assertThat(read.code()).as(read.err()).isZero();
            out.put(fileAndId[0], new ObjectMapper().readTree(read.out()));
        }
        return out;
    }
}
