package io.jigsaw.job;

import io.jigsaw.core.graph.Combinations;
import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.GraphLoader;
import io.jigsaw.core.plan.Plan;
import io.jigsaw.core.plan.PlanAvro;
import io.jigsaw.core.scene.Scene;
import io.jigsaw.core.scene.SceneGenerator;
import io.jigsaw.job.client.Frames;
import io.jigsaw.job.kafka.AvroProducer;
import io.jigsaw.job.kafka.TopicReader;
import io.jigsaw.schemas.Result;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The accuracy `models` measures for a combination of variants offline and the accuracy the job's
 * result assembler scores live are one figure: the same validation scenes, through the same
 * variants (the demo's static plan: detect-m, classify-m, depth-m, fuse-s), give the same end-to-end
 * accuracy and the same per-task scores — offline with TF Java in `models`' own JVM, live through
 * Kafka, the Flink job and DJL.
 */
class CombinationAccuracyTest {

    private static final int SCENES = 40;
    /** The scenes `models` measures combinations on: the validation split's, from its seed. */
    private static final long VALIDATION_SEED = 44;

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    @RegisterExtension
    static final RealKafka kafka = new RealKafka();

    @Test
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void theLiveScorerGivesTheOfflineCombinationsFigureOnTheSameScenes(@TempDir Path dir) throws Exception {
        Graph graph = measureOffline(dir);
        Combinations offline = graph.measuredCombinations().orElseThrow();
        Plan plan = DemoJob.staticPlan();
        List<String> combination = graph.tasks().stream().map(t -> plan.task(t.name()).orElseThrow().variant()).toList();
        int index = offline.index(combination);

        List<Result> live = serve(graph, plan);

        assertThat(live).hasSize(SCENES).allSatisfy(r -> assertThat(r.getDropped()).as(r.getDropReason()).isFalse());
        double measured = live.stream().mapToDouble(Result::getAccuracyMeasured).average().orElseThrow();
        assertThat(measured).as("live end-to-end accuracy of %s on the %d scenes", combination, SCENES)
                .isCloseTo(offline.endToEnd()[index], within(1e-3));
        for (int t = 0; t < graph.tasks().size(); t++) {
            String task = graph.tasks().get(t).name();
            double expected = offline.taskScores()[index][t];
            double got = live.stream().filter(r -> r.getTaskScores().containsKey(task)).mapToDouble(r -> r.getTaskScores().get(task))
                    .average().orElse(Double.NaN);
            assertThat(got).as("task %s's mean live score", task).isCloseTo(expected, within(1e-3));
        }
        // What the job promised each request is the figure measured for the combination that served it.
        assertThat(live).allSatisfy(r -> assertThat(r.getAccuracy()).isCloseTo(offline.endToEnd()[index], within(1e-9)));
    }

    /** The demo graph on a copy of the built demo models, its combinations measured by `models` on the first SCENES validation scenes. */
    private static Graph measureOffline(Path dir) throws IOException, InterruptedException {
        Path models = dir.resolve("models");
        Path built = Path.of(System.getProperty("jigsaw.demo.models.dir"));
        try (Stream<Path> files = Files.walk(built)) {
            for (Path f : files.toList()) {
                Path to = models.resolve(built.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(to);
                } else if (!f.getFileName().toString().equals(Combinations.FILE)) {
                    Files.copy(f, to);
                }
            }
        }
        Path demo = Path.of(System.getProperty("jigsaw.examples.dir"), "xr-scene", "graph.yaml");
        Path graphFile = Files.writeString(dir.resolve("graph.yaml"), Files.readString(demo)
                .replace("models_dir: ../../.jigsaw/models/xr-scene", "models_dir: " + models));
        String cp = System.getProperty("jigsaw.models.classes") + java.io.File.pathSeparator
                + Files.readString(Path.of(System.getProperty("jigsaw.models.classpath.file"))).trim();
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", cp,
                "io.jigsaw.models.ModelsMain", "--graph", graphFile.toString(), "--combination-scenes", Integer.toString(SCENES))
                .redirectErrorStream(true).redirectOutput(dir.resolve("models.log").toFile()).start();
        boolean ended = p.waitFor(4, TimeUnit.MINUTES);
        if (!ended) {
            p.destroyForcibly();
        }
        assertThat(ended).as("models ended within 4 minutes").isTrue();
        assertThat(p.exitValue()).as(Files.readString(dir.resolve("models.log"))).isZero();
        Graph graph = GraphLoader.load(graphFile);
        assertThat(graph.measuredCombinations()).as("combinations.csv beside the models").isPresent();
        assertThat(graph.measuredCombinations().get().scenes()).isEqualTo(SCENES);
        return graph;
    }

    /** The same scenes through the job under the plan, each answered once. */
    private static List<Result> serve(Graph graph, Plan plan) throws Exception {
        Configuration conf = DemoJob.isolated(kafka.bootstrap(), "combination-accuracy");
        SceneGenerator scenes = new SceneGenerator(VALIDATION_SEED, SceneGenerator.Split.VALIDATION);
        try (DemoJob job = DemoJob.start(graph, conf, "combination-accuracy");
             AvroProducer producer = new AvroProducer(kafka.bootstrap());
             TopicReader<Result> results = new TopicReader<>(kafka.bootstrap(), job.topics.results(), Result.class)) {
            producer.send(job.topics.plans(), graph.name(), PlanAvro.toAvro(plan)).get(60, TimeUnit.SECONDS);
            // A first scene with objects, answered before the measured ones: until a crop-fed task has run once, a request
            // whose frame holds no object is planned with that task's variant of the best combination (PlannedAccuracy).
            Scene warm = new SceneGenerator(1, SceneGenerator.Split.TEST).next();
            for (long seed = 2; warm.objects().isEmpty(); seed++) {
                warm = new SceneGenerator(seed, SceneGenerator.Split.TEST).next();
            }
            long start = System.currentTimeMillis();
            producer.send(job.topics.requests(), "warm-up", Frames.scene("warm-up", graph.name(), job.spec, start, start + 180_000, warm))
                    .get(60, TimeUnit.SECONDS);
            long warmUntil = start + 180_000;
            boolean warmed = false;
            while (!warmed && System.currentTimeMillis() < warmUntil) {
                warmed = results.poll(Duration.ofMillis(500)).stream().anyMatch(r -> r.getRequestId().equals("warm-up"));
            }
            assertThat(warmed).as("the warm-up scene answered").isTrue();
            for (int i = 0; i < SCENES; i++) {
                Scene scene = scenes.next();
                long now = System.currentTimeMillis();
                // A generous deadline: every scene must be answered by its models, none dropped for time.
                producer.send(job.topics.requests(), "scene-" + i, Frames.scene("scene-" + i, graph.name(), job.spec, now, now + 180_000, scene))
                        .get(60, TimeUnit.SECONDS);
            }
            Map<String, Result> byId = new HashMap<>();
            long until = System.currentTimeMillis() + 240_000;
            while (byId.size() < SCENES && System.currentTimeMillis() < until) {
                results.poll(Duration.ofMillis(500)).forEach(r -> byId.putIfAbsent(r.getRequestId(), r));
            }
            return new ArrayList<>(byId.values());
        }
    }
}
