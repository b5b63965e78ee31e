package io.jigsaw.job.sidecar;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.GraphLoader;
import io.jigsaw.core.plan.Plan;
import io.jigsaw.core.plan.PlanAvro;
import io.jigsaw.job.JigsawOptions;
import io.jigsaw.job.RealKafka;
import io.jigsaw.job.kafka.AvroProducer;
import io.jigsaw.job.kafka.TopicReader;
import io.jigsaw.job.kafka.Topics;
import io.jigsaw.planner.model.PlanningInstance;
import io.jigsaw.planner.model.Policy;
import io.jigsaw.planner.profile.ProfileLoader;
import io.jigsaw.planner.profile.ShareGrid;
import io.jigsaw.schemas.Telemetry;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sidecar against a real KRaft broker, fed telemetry records as the job's root task would send
 * them (the job itself is covered by JigsawJobIntegrationTest).
 */
public class PlannerSidecarIntegrationTest {

    @RegisterExtension
    static final RealKafka broker = new RealKafka();

    /** The demo graph planned on its measured CPU profile, one GPU, policy jigsaw. */
    public static PlanningInstance demoPlanning() {
        Path graphFile = Path.of(System.getProperty("jigsaw.examples.dir"), "xr-scene", "graph.yaml");
        Graph graph = GraphLoader.load(graphFile);
        return new PlanningInstance(graph, ProfileLoader.load(graph, graphFile, List.of(), null, ShareGrid.mps(10)), 1, 1,
                ShareGrid.mps(10), Policy.JIGSAW, PlanningInstance.DEFAULT_MAX_UTILISATION, PlanningInstance.AccuracyRule.TRAFFIC_WEIGHTED_MEAN);
    }

    private static Configuration conf() {
        Configuration conf = new Configuration();
        conf.set(JigsawOptions.BOOTSTRAP, broker.bootstrap());
        conf.set(JigsawOptions.PLANNER_INITIAL_DEMAND, 8.0);
        conf.set(JigsawOptions.PLANNER_TICK, Duration.ofMillis(200));
        conf.set(JigsawOptions.PLANNER_SMOOTHING, Duration.ofMillis(500));
        conf.set(JigsawOptions.PLANNER_SOLVE_LIMIT, Duration.ofSeconds(1));
        return conf;
    }

    /** What the root task's two replicas would report: {@code rps} in all, 1 s windows ending now. */
    private static void rootTelemetry(AvroProducer producer, Topics topics, double rps) throws Exception {
        long now = System.currentTimeMillis();
        for (int replica = 0; replica < 2; replica++) {
            long arrivals = Math.round(rps / 2);
            producer.send(topics.telemetry(), "detect/" + replica, Telemetry.newBuilder().setGraph("xr-scene").setTask("detect")
                    .setReplica(replica).setWindowEndMs(now).setWindowMs(1000).setArrivals(arrivals).setArrivalRateRps(arrivals)
                    .setQueueLength(0).setBatches(arrivals).setMeanBatchSize(1).setBatchLatencyP50Ms(3).setBatchLatencyP99Ms(5)
                    .setDropped(0).setVariant("detect-l").setPlanVersion(1).build()).get(60, TimeUnit.SECONDS);
        }
    }

    /** Feeds telemetry at {@code rps} until a plan on 'plans' matches, or fails after 60 s. */
    private static Plan feedUntil(AvroProducer producer, Topics topics, TopicReader<io.jigsaw.schemas.Plan> plans, double rps,
            Predicate<Plan> wanted) throws Exception {
        long until = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < until) {
            rootTelemetry(producer, topics, rps);
            for (io.jigsaw.schemas.Plan p : plans.poll(Duration.ofMillis(300))) {
                Plan plan = PlanAvro.fromAvro(p);
                if (wanted.test(plan)) {
                    return plan;
                }
            }
        }
        throw new AssertionError("no wanted plan on 'plans' within 60 s at " + rps + " req/s");
    }

    @Test
    void plansFirstThenFollowsDemandServesWhatFitsOfAnOverloadAndARestartContinuesTheVersions() throws Exception {
        Configuration conf = conf();
        Topics topics = Topics.from(conf);
        topics.create(broker.bootstrap(), 2);
        List<String> events = new CopyOnWriteArrayList<>();
        PlannerSidecar first = new PlannerSidecar(demoPlanning(), conf, events::add);
        Thread t = new Thread(first, "sidecar-1");
        t.start();
        try (AvroProducer producer = new AvroProducer(broker.bootstrap());
             TopicReader<io.jigsaw.schemas.Plan> plans = new TopicReader<>(broker.bootstrap(), topics.plans(), io.jigsaw.schemas.Plan.class)) {
            Plan initial = feedUntil(producer, topics, plans, 8, p -> p.version() == 1);
            assertThat(initial.createdBy()).isEqualTo("planner sidecar");
            assertThat(initial.note()).contains("initial").contains("planned for 10.0 req/s");

            Plan up = feedUntil(producer, topics, plans, 40, p -> p.note().startsWith("up"));
            assertThat(up.version()).isGreaterThan(initial.version());

            Plan infeasible = feedUntil(producer, topics, plans, 1_000_000, p -> p.note().contains("no feasible plan"));
            assertThat(infeasible.note()).startsWith("best effort").contains("planned for the most that fits");
            assertThat(infeasible.version()).isGreaterThan(up.version());

            first.close();
            t.join(10_000);
            assertThat(t.isAlive()).isFalse();
            // While demand kept climbing it may have said so again: the last version published is what counts.
            long last = infeasible.version();
            for (io.jigsaw.schemas.Plan p : plans.poll(Duration.ofSeconds(1))) {
                last = Math.max(last, p.getVersion());
            }
            long lastVersion = last;

            // A new sidecar finds the plan in force, publishes nothing until telemetry, then continues the versions.
            List<String> restartEvents = new ArrayList<>();
            PlannerSidecar second = new PlannerSidecar(demoPlanning(), conf, restartEvents::add);
            Thread t2 = new Thread(second, "sidecar-2");
            t2.start();
            try {
                Plan resumed = feedUntil(producer, topics, plans, 20, p -> p.version() > lastVersion);
                assertThat(resumed.version()).isEqualTo(lastVersion + 1);
                assertThat(resumed.note()).startsWith("initial");
                assertThat(restartEvents.get(0)).contains("plan v" + lastVersion).contains("in force");
            } finally {
                second.close();
                t2.join(10_000);
            }
        } finally {
            first.close();
        }
    }

    /**
     * Anyone can write to 'plans' and 'telemetry': a tombstone, bytes that are no record, or a plan the job
     * rejects are said and skipped, and the sidecar plans on (it once died at start on one undecodable plan).
     */
    @Test
    void skipsWhatItCannotReadOnPlansAndTelemetryAndPlansOn() throws Exception {
        Configuration conf = conf();
        conf.set(JigsawOptions.TOPIC_PLANS, "poisoned-plans");
        conf.set(JigsawOptions.TOPIC_TELEMETRY, "poisoned-telemetry");
        Topics topics = Topics.from(conf);
        topics.create(broker.bootstrap(), 2);
        List<String> events = new CopyOnWriteArrayList<>();
        PlannerSidecar sidecar = new PlannerSidecar(demoPlanning(), conf, events::add);
        try (AvroProducer producer = new AvroProducer(broker.bootstrap());
             TopicReader<io.jigsaw.schemas.Plan> plans = new TopicReader<>(broker.bootstrap(), topics.plans(), io.jigsaw.schemas.Plan.class)) {
            producer.sendBytes(topics.plans(), "x", null).get(60, TimeUnit.SECONDS);
            producer.sendBytes(topics.plans(), "x", new byte[] {9, 9, 9}).get(60, TimeUnit.SECONDS);
            Plan rejected = new Plan("xr-scene", 1000, "someone", "", List.of(new io.jigsaw.core.plan.TaskPlan("detect", "detect-xl", 1,
                    1, 100, List.of(new io.jigsaw.core.plan.Partition(0, 50)))));
            producer.send(topics.plans(), "x", PlanAvro.toAvro(rejected)).get(60, TimeUnit.SECONDS);
            Thread t = new Thread(sidecar, "sidecar-poisoned");
            t.start();
            plans.onSkip(line -> { });

            Plan first = feedUntil(producer, topics, plans, 8, p -> p.createdBy().equals("planner sidecar"));
            // Its telemetry reader starts at the end: poison sent once it is reading, then good telemetry after it.
            producer.sendBytes(topics.telemetry(), "x", null).get(60, TimeUnit.SECONDS);
            producer.sendBytes(topics.telemetry(), "x", new byte[] {(byte) 0xC3, 1, 2, 3}).get(60, TimeUnit.SECONDS);
            long until = System.currentTimeMillis() + 30_000;
            while (events.stream().filter(e -> e.contains("skipped poisoned-telemetry")).count() < 2 && System.currentTimeMillis() < until) {
                rootTelemetry(producer, topics, 8);
                Thread.sleep(200);
            }

            assertThat(first.version()).as("the rejected plan v1000 is not the one in force").isEqualTo(1);
            assertThat(t.isAlive()).isTrue();
            assertThat(events).anySatisfy(e -> assertThat(e).contains("skipped poisoned-plans partition 0 offset 0", "tombstone"))
                    .anySatisfy(e -> assertThat(e).contains("skipped poisoned-plans partition 0 offset 1", "not a Plan record"))
                    .anySatisfy(e -> assertThat(e).contains("skipped plan v1000 by someone", "unknown variant 'detect-xl'"))
                    .anySatisfy(e -> assertThat(e).contains("skipped poisoned-telemetry", "tombstone"))
                    .anySatisfy(e -> assertThat(e).contains("skipped poisoned-telemetry", "not a Telemetry record"));
        } finally {
            sidecar.close();
        }
    }
}
