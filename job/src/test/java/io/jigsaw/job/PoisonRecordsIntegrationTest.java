package io.jigsaw.job;

import io.jigsaw.core.graph.TensorSpec;
import io.jigsaw.core.plan.PlanAvro;
import io.jigsaw.job.client.Frames;
import io.jigsaw.job.cluster.FlinkRest;
import io.jigsaw.job.kafka.AvroProducer;
import io.jigsaw.job.kafka.DistinctResults;
import io.jigsaw.job.kafka.TopicReader;
import io.jigsaw.job.kafka.Topics;
import io.jigsaw.operators.PngBombs;
import io.jigsaw.operators.RawRecords;
import io.jigsaw.schemas.AvroBytes;
import io.jigsaw.schemas.DeadLetter;
import io.jigsaw.schemas.Request;
import io.jigsaw.schemas.Result;
import io.jigsaw.schemas.Truth;
import io.jigsaw.schemas.TruthObject;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One poison record of each class that once put the job into a restart loop, or could, sent between
 * good requests to a job on a MiniCluster and a real broker: the job never restarts, every good
 * request is answered (those with a fault the job can serve around too), every bad one gets a dead
 * letter with its reason, and a request id reused after the de-duplication window is served again
 * under a result key of its own.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class PoisonRecordsIntegrationTest {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    @RegisterExtension
    static final RealKafka kafka = new RealKafka();

    static final String GRAPH = "xr-scene";

    /** A poison record: its topic, its value (null: a tombstone), and what its dead letter must say (null: none, it is skipped). */
    record Poison(String kind, String topic, byte[] value, String reasonSays) {
    }

    @Test
    void noSingleRecordStopsTheJobAndEveryGoodRequestIsAnswered(@InjectMiniCluster MiniCluster cluster) throws Exception {
        Configuration conf = DemoJob.isolated(kafka.bootstrap(), "poison");
        // A short de-duplication window, so the test can reuse an id after it.
        conf.set(JigsawOptions.CLEANUP_AFTER_DEADLINE, Duration.ofSeconds(2));
        DemoJob job = DemoJob.start(conf, "poison");
        Topics topics = job.topics;
        TensorSpec spec = job.spec;
        long now = System.currentTimeMillis();
        long deadline = now + 120_000;

        List<Poison> poisons = List.of(
                new Poison("tombstone on requests", topics.requests(), null, null),
                new Poison("tombstone on plans", topics.plans(), null, null),
                new Poison("array count bomb (2e9 ints declared in payload.shape, 48 KB sent)", topics.requests(),
                        RawRecords.shapeCountBomb(now), "declares a length or count beyond its own end"),
                new Poison("349 KB request whose shape lists 300 000 ones (under the record limit pictures need: refused for its shape)",
                        topics.requests(), AvroBytes.encode(withShape(Frames.request("huge-shape", GRAPH, spec, now, deadline, 1), 300_000)),
                        "payload shape [1, 1"),
                new Poison("a PNG declaring 100 000 x 100 000 pixels in a few hundred bytes (a decompression bomb)", topics.requests(),
                        AvroBytes.encode(Frames.encoded("bomb", GRAPH, now, deadline, "image/png", PngBombs.declaring(100_000, 100_000))
                                .build()), "pixels is over the limit"),
                new Poison("a shape of 15 000 ones under the size limit (a reason too long to keep whole)", topics.requests(),
                        AvroBytes.encode(withShape(Frames.request("long-shape", GRAPH, spec, now, deadline, 1), 15_000)),
                        "more characters cut"),
                new Poison("NaN and infinite pixels", topics.requests(), AvroBytes.encode(notFinite(Frames.request("nan", GRAPH, spec, now,
                        deadline, 1))), "values that are not finite"),
                new Poison("a request id of 10 000 characters", topics.requests(),
                        AvroBytes.encode(Frames.request("i".repeat(10_000), GRAPH, spec, now, deadline, 1)), "request_id of 10000 characters"),
                new Poison("a plan declaring 2e9 tasks", topics.plans(), RawRecords.planCountBomb(),
                        "declares a length or count beyond its own end"),
                new Poison("a 600 KB record on plans", topics.plans(), new byte[600_000], "over the limit of 524288 for a plan"));

        int n = 24;
        Set<String> good = new HashSet<>();
        List<DeadLetter> dead = new ArrayList<>();
        List<Result> read = new ArrayList<>();
        long restarts;
        try (AvroProducer producer = new AvroProducer(kafka.bootstrap());
             DistinctResults results = new DistinctResults(new TopicReader<>(kafka.bootstrap(), topics.results(), Result.class));
             TopicReader<DeadLetter> deadLetters = new TopicReader<>(kafka.bootstrap(), topics.deadLetters(), DeadLetter.class)) {
            producer.send(topics.plans(), GRAPH, PlanAvro.toAvro(DemoJob.staticPlan())).get(60, TimeUnit.SECONDS);
            // The first life of a request id that comes again after its window.
            long reuseAt = System.currentTimeMillis();
            producer.send(topics.requests(), "reused", Frames.request("reused", GRAPH, spec, reuseAt, reuseAt + 500, 7))
                    .get(60, TimeUnit.SECONDS);
            // Requests the job serves although something about them is wrong: answered like the good ones.
            long t0 = System.currentTimeMillis();
            List<Request> servedAnyway = List.of(
                    // Its own budget of 120 s, counted on the job's clock from its arrival.
                    Frames.request("clock-2h-ahead", GRAPH, spec, t0 + 2 * 3600_000L, t0 + 2 * 3600_000L + 120_000, 3),
                    withTruth(Frames.request("truth-box-12000-floats", GRAPH, spec, t0, t0 + 120_000, 4),
                            new TruthObject("cup", Collections.nCopies(12_000, 0.5f), 2f)),
                    withTruth(Frames.request("truth-at-infinity", GRAPH, spec, t0, t0 + 120_000, 5),
                            new TruthObject("cup", List.of(0.1f, 0.1f, 0.3f, 0.3f), Float.POSITIVE_INFINITY)));
            for (int i = 0; i < n; i++) {
                long t = System.currentTimeMillis();
                String id = "good-" + i;
                good.add(id);
                producer.send(topics.requests(), id, Frames.request(id, GRAPH, spec, t, t + 120_000, i)).get(60, TimeUnit.SECONDS);
                if (i < poisons.size()) {
                    Poison p = poisons.get(i);
                    producer.sendBytes(p.topic(), p.kind(), p.value()).get(60, TimeUnit.SECONDS);
                } else if (i - poisons.size() < servedAnyway.size()) {
                    Request r = servedAnyway.get(i - poisons.size());
                    good.add(r.getRequestId());
                    producer.send(topics.requests(), r.getRequestId(), r).get(60, TimeUnit.SECONDS);
                }
                Thread.sleep(50);
            }
            long until = System.currentTimeMillis() + 150_000;
            long expectedDead = poisons.stream().filter(p -> p.reasonSays() != null).count() + 2; // + the two unusable truths
            Set<String> answered = new HashSet<>();
            while ((!answered.containsAll(good) || dead.size() < expectedDead) && System.currentTimeMillis() < until) {
                results.poll(Duration.ofMillis(300)).forEach(r -> {
                    read.add(r);
                    answered.add(r.getRequestId());
                });
                dead.addAll(deadLetters.poll(Duration.ofMillis(100)));
            }
            // The reused id, once the job has forgotten its first request: the de-duplication entry lives until the later of
            // its deadline and its arrival, plus the cleanup time (2 s here); its arrival is before its result was assembled.
            Result first = read.stream().filter(r -> r.getRequestId().equals("reused")).findFirst().orElseThrow();
            long waitUntil = Math.max(first.getCompletedMs(), reuseAt + 500) + 2_000 + 1_500;
            while (System.currentTimeMillis() < waitUntil) {
                Thread.sleep(100);
            }
            long again = System.currentTimeMillis();
            producer.send(topics.requests(), "reused", Frames.request("reused", GRAPH, spec, again, again + 60_000, 8))
                    .get(60, TimeUnit.SECONDS);
            until = System.currentTimeMillis() + 60_000;
            while (read.stream().filter(r -> r.getRequestId().equals("reused")).count() < 2 && System.currentTimeMillis() < until) {
                read.addAll(results.poll(Duration.ofMillis(300)));
            }
            dead.addAll(deadLetters.poll(Duration.ofMillis(500)));
            restarts = new FlinkRest(cluster.getRestAddress().get().toString()).restarts(job.jobId().toString()).count();
        } finally {
            job.close();
        }

        for (DeadLetter d : dead) {
            System.out.printf("[poison] %-16s %-22s %s%n", d.getStage(), d.getSourceTopic(), d.getReason().length() > 220
                    ? d.getReason().substring(0, 220) + "…" : d.getReason());
        }
        assertThat(restarts).as("the job never restarted").isZero();
        assertThat(read.stream().map(Result::getRequestId).toList()).as("every good request answered").containsAll(good);
        assertThat(read).filteredOn(r -> good.contains(r.getRequestId())).allSatisfy(r -> assertThat(r.getDropped()).isFalse());
        List<String> reasons = dead.stream().map(DeadLetter::getReason).toList();
        for (Poison p : poisons) {
            if (p.reasonSays() != null) {
                assertThat(reasons).as(p.kind()).anySatisfy(r -> assertThat(r).contains(p.reasonSays()));
            }
        }
        assertThat(reasons).as("the truths the job could not use, their requests served")
                .anySatisfy(r -> assertThat(r).contains("truth not used", "more characters cut"))
                .anySatisfy(r -> assertThat(r).contains("truth not used", "found Infinity"));
        assertThat(dead).as("every dead letter small enough to write").allSatisfy(d -> assertThat(AvroBytes.encode(d).length)
                .isLessThan(300 * 1024));
        assertThat(read).filteredOn(r -> r.getRequestId().equals("reused")).as("a reused id served twice, under two keys")
                .hasSize(2).extracting(Result::getEventTimeMs).doesNotHaveDuplicates();
        assertThat(read).filteredOn(r -> r.getRequestId().equals("clock-2h-ahead")).singleElement()
                .satisfies(r -> assertThat(r.getSloMet()).as("judged on the job's clock").isTrue());
    }

    static Request withShape(Request r, int ones) {
        r.getPayload().setShape(Collections.nCopies(ones, 1));
        return r;
    }

    static Request withTruth(Request r, TruthObject object) {
        r.setTruth(new Truth(List.of(object)));
        return r;
    }

    static Request notFinite(Request r) {
        ByteBuffer data = r.getPayload().getData().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        data.putFloat(0, Float.NaN).putFloat(4, Float.POSITIVE_INFINITY);
        return r;
    }
}
