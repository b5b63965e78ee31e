package io.jigsaw.job;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.TensorSpec;
import io.jigsaw.core.plan.Partition;
import io.jigsaw.core.plan.Plan;
import io.jigsaw.core.plan.PlanAvro;
import io.jigsaw.core.plan.TaskPlan;
import io.jigsaw.job.client.Frames;
import io.jigsaw.job.memory.MemoryIo;
import io.jigsaw.job.report.ResultStats;
import io.jigsaw.job.topology.JigsawJob;
import io.jigsaw.operators.DemoGraph;
import io.jigsaw.runtime.DjlVariantRunner;
import io.jigsaw.schemas.AvroBytes;
import io.jigsaw.schemas.DeadLetter;
import io.jigsaw.schemas.Request;
import io.jigsaw.schemas.Result;
import io.jigsaw.schemas.Tensor;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the job does with each kind of bad input (the README's table): every one ends in
 * {@code dead-letters} with a reason, the job keeps serving, and the good requests sent around
 * them all get their one result. The topology on in-memory topics ({@link MemoryIo}): what is
 * checked is the job's decoding and validation, the same whatever delivers the bytes (the Kafka
 * path's own bad records — tombstones, huge records — are PoisonRecordsIntegrationTest's).
 */
class BadInputCatalogueTest {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    static final String REQUESTS = "requests";
    static final String PLANS = "plans";

    /** One bad input: the topic it is sent to, its bytes, and what its dead letter's reason must say. */
    record Bad(String kind, String topic, byte[] value, String reasonSays) {
    }

    static final String GRAPH = "xr-scene";

    @Test
    void everyBadInputGetsADeadLetterWithItsReasonAndTheGoodRequestsAllGetResults() throws Exception {
        Graph graph = DemoGraph.load();
        TensorSpec spec = graph.input().orElseThrow();
        Plan good = DemoJob.staticPlan();

        long now = System.currentTimeMillis();
        long deadline = now + 120_000;
        List<Bad> catalogue = List.of(
                new Bad("undecodable bytes", REQUESTS, new byte[] {1, 2, 3, 4, 5}, "not Avro single-object encoding"),
                new Bad("plain Avro binary without the single-object header", REQUESTS,
                        plainBinary(Frames.request("plain", GRAPH, spec, now, deadline, 1)), "not Avro single-object encoding"),
                new Bad("another version of the Request schema", REQUESTS, requestV2(spec, now),
                        "written with a schema this job does not know"),
                new Bad("a record of another schema (a Result)", REQUESTS,
                        AvroBytes.encode(someResult()), "written with a schema this job does not know"),
                new Bad("unknown graph", REQUESTS,
                        AvroBytes.encode(Frames.request("bad-graph", "other-app", spec, now, deadline, 1)), "unknown graph 'other-app'"),
                new Bad("wrong tensor shape", REQUESTS, AvroBytes.encode(Frames.request("bad-shape", GRAPH,
                        new TensorSpec(List.of(32, 32, 3), "float32"), now, deadline, 1)), "payload shape [32, 32, 3] does not match"),
                new Bad("wrong dtype", REQUESTS, AvroBytes.encode(withPayload(Frames.request("bad-dtype", GRAPH, spec, now, deadline, 1),
                        t -> t.setDtype("int8"))), "payload dtype 'int8' does not match"),
                new Bad("oversized payload", REQUESTS, AvroBytes.encode(withPayload(Frames.request("too-big", GRAPH, spec, now, deadline, 1),
                        t -> t.setData(ByteBuffer.allocate((int) spec.bytes() * 2)))), "payload has " + spec.bytes() * 2 + " bytes"),
                new Bad("missing event time", REQUESTS, AvroBytes.encode(Frames.request("no-time", GRAPH, spec, 0, deadline, 1)),
                        "event_time_ms must be > 0, found 0"),
                new Bad("negative event time", REQUESTS, AvroBytes.encode(Frames.request("neg-time", GRAPH, spec, -5, deadline, 1)),
                        "event_time_ms must be > 0, found -5"),
                new Bad("negative deadline", REQUESTS, AvroBytes.encode(Frames.request("neg-deadline", GRAPH, spec, now, -1, 1)),
                        "deadline_ms must be >= 0"),
                new Bad("deadline before the event", REQUESTS, AvroBytes.encode(Frames.request("early-deadline", GRAPH, spec, now, now - 1000, 1)),
                        "is before event_time_ms"),
                new Bad("empty request id", REQUESTS, AvroBytes.encode(Frames.request("", GRAPH, spec, now, deadline, 1)),
                        "empty request_id"),
                new Bad("duplicate request id", REQUESTS, AvroBytes.encode(Frames.request("good-3", GRAPH, spec, now, deadline, 99)),
                        "duplicate request_id 'good-3'"),
                new Bad("undecodable plan", PLANS, new byte[] {9, 9, 9}, "not an Avro Plan record"),
                new Bad("plan naming an unknown variant", PLANS, AvroBytes.encode(PlanAvro.toAvro(withTask(good, 10,
                        tp -> new TaskPlan(tp.task(), tp.task() + "-xl", tp.batchSize(), tp.batchTimeoutMs(), tp.latencyBudgetMs(), tp.partitions())))),
                        "unknown variant 'detect-xl'"),
                new Bad("plan over 100 % of a GPU", PLANS, AvroBytes.encode(PlanAvro.toAvro(withTask(good, 11,
                        tp -> new TaskPlan(tp.task(), tp.variant(), tp.batchSize(), tp.batchTimeoutMs(), tp.latencyBudgetMs(),
                                List.of(new Partition(0, 100), new Partition(0, 100)))))), "over-committed"),
                new Bad("plan for another graph", PLANS, AvroBytes.encode(PlanAvro.toAvro(new Plan("other-app", 12, "it", "",
                        good.tasks()))), "plan is for graph 'other-app'"));

        int n = 20;
        Set<String> sent = new HashSet<>();
        // Good requests before, between and after the bad inputs, in this order on the requests topic: the job must
        // serve on through them.
        List<byte[]> requests = new ArrayList<>();
        List<byte[]> plans = new ArrayList<>(List.of(AvroBytes.encode(PlanAvro.toAvro(good))));
        for (int i = 0; i < n; i++) {
            long t = System.currentTimeMillis();
            String id = "good-" + i;
            sent.add(id);
            requests.add(AvroBytes.encode(Frames.request(id, GRAPH, spec, t, t + 120_000, i)));
            if (i >= 5 && i - 5 < catalogue.size()) {
                Bad bad = catalogue.get(i - 5);
                (bad.topic().equals(PLANS) ? plans : requests).add(bad.value());
            }
        }
        for (Bad bad : catalogue.subList(Math.min(n - 5, catalogue.size()), catalogue.size())) {
            (bad.topic().equals(PLANS) ? plans : requests).add(bad.value());
        }
        MemoryIo io = new MemoryIo(requests, plans);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        Configuration conf = new Configuration();
        conf.set(JigsawOptions.REPLICA_SLOTS, 2);
        JigsawJob.build(env, graph, conf, DjlVariantRunner.factory(), io);
        JobClient job = env.executeAsync("bad-inputs");
        ResultStats stats = new ResultStats();
        List<DeadLetter> dead;
        try {
            MemoryIo.await(job, () -> io.results.collected().size() >= n && io.deadLetters.collected().size() >= catalogue.size(),
                    Duration.ofSeconds(120));
            io.results.collected().forEach(stats::add);
            dead = io.deadLetters.collected();
        } finally {
            job.cancel().get(60, TimeUnit.SECONDS);
        }

        assertThat(stats.ids()).as("every good request answered").isEqualTo(sent);
        assertThat(stats.duplicates()).isZero();
        assertThat(stats.dropped()).isZero();
        List<String> reasons = dead.stream().map(d -> d.getReason().toString()).toList();
        for (Bad bad : catalogue) {
            assertThat(reasons).as(bad.kind()).anySatisfy(r -> assertThat(r).contains(bad.reasonSays()));
        }
        assertThat(reasons).as("one dead letter per bad input").hasSize(catalogue.size());
    }

    static Result someResult() {
        return Result.newBuilder().setRequestId("r").setGraph(GRAPH).setEventTimeMs(1).setCompletedMs(2).setLatencyMs(1)
                .setSloMet(true).setVariants(java.util.Map.of()).setAccuracy(1).setTaskRuns(1).setDropped(false)
                .setPlanVersion(1).build();
    }

    static byte[] plainBinary(Request r) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new SpecificDatumWriter<>(Request.class).write(r, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    /** Our Request with one more field: what a producer on a newer schema would write. */
    static byte[] requestV2(TensorSpec spec, long now) throws Exception {
        Request v1 = Frames.request("v2", GRAPH, spec, now, now + 120_000, 1);
        Schema v2 = SchemaBuilder.record("Request").namespace("io.jigsaw.schemas").fields()
                .requiredString("request_id").requiredString("graph").requiredLong("event_time_ms").requiredLong("deadline_ms")
                .name("payload").type(Tensor.getClassSchema()).noDefault()
                .requiredString("priority")
                .endRecord();
        GenericRecord r = new GenericData.Record(v2);
        r.put("request_id", "v2");
        r.put("graph", GRAPH);
        r.put("event_time_ms", now);
        r.put("deadline_ms", now + 120_000);
        r.put("payload", v1.getPayload());
        r.put("priority", "high");
        ByteBuffer b = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v2).encode(r);
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    static Request withPayload(Request r, java.util.function.Consumer<Tensor> change) {
        change.accept(r.getPayload());
        return r;
    }

    static Plan withTask(Plan p, long version, java.util.function.UnaryOperator<TaskPlan> change) {
        List<TaskPlan> tasks = new ArrayList<>(p.tasks());
        tasks.set(0, change.apply(tasks.get(0)));
        return new Plan(p.graph(), version, "it", "", tasks);
    }
}
