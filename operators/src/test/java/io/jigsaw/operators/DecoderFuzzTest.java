package io.jigsaw.operators;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.plan.Plan;
import io.jigsaw.schemas.AvroBytes;
import io.jigsaw.schemas.DeadLetter;
import io.jigsaw.schemas.FanoutCount;
import io.jigsaw.schemas.Partition;
import io.jigsaw.schemas.Request;
import io.jigsaw.schemas.TaskPlan;
import io.jigsaw.schemas.Telemetry;
import io.jigsaw.schemas.Tensor;
import io.jigsaw.schemas.Truth;
import io.jigsaw.schemas.TruthObject;
import io.jigsaw.schemas.VariantScore;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterTry;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.BroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzing the job's decoders: valid Request, Plan and Telemetry records, mutated as a broken or hostile
 * producer would (cut short, bits flipped, a count or length overwritten or inserted with an extreme
 * value, bytes appended, a foreign header, another record type), and valid records with extreme values.
 * Whatever the bytes, a request ends as one root piece or one dead letter, a plan as one accepted plan
 * or one dead letter, a telemetry record as a value or an IOException (the readers skip those); nothing
 * else escapes, and no dead letter is too large to write.
 */
class DecoderFuzzTest {

    static final Graph GRAPH = DemoGraph.load();
    static final long NOW = 1_800_000_000_000L;
    /** Counts and lengths a hostile record declares. */
    static final long[] EXTREMES = {2_000_000_000L, Integer.MAX_VALUE, Long.MAX_VALUE, Long.MIN_VALUE, -1, -2_000_000_000L,
            1L << 40, 0, 1, 64};

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterTry
    void closeHarnesses() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        open.clear();
    }

    @Property(tries = 400)
    void everyMutatedRequestEndsAsOnePieceOrOneDeadLetter(@ForAll("mutatedRequests") byte[] value) throws Exception {
        assertRequestOutcome(value);
    }

    @Property(tries = 300)
    void everyRequestWithExtremeValuesEndsAsOnePieceOrOneDeadLetter(@ForAll("extremeRequests") Request request) throws Exception {
        assertRequestOutcome(AvroBytes.encode(request));
    }

    @Property(tries = 300)
    void everyMutatedPlanEndsAsOnePlanOrOneDeadLetter(@ForAll("mutatedPlans") byte[] value) throws Exception {
        assertPlanOutcome(value);
    }

    @Property(tries = 300)
    void everyPlanWithExtremeValuesEndsAsOnePlanOrOneDeadLetter(@ForAll("extremePlans") io.jigsaw.schemas.Plan plan) throws Exception {
        assertPlanOutcome(AvroBytes.encode(plan));
    }

    @Property(tries = 400)
    void everyMutatedTelemetryRecordDecodesOrIsAnIOException(@ForAll("mutatedTelemetry") byte[] value) {
        try {
            assertThat(AvroBytes.decode(value, Telemetry.class)).isNotNull();
        } catch (IOException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }

    void assertRequestOutcome(byte[] value) throws Exception {
        BroadcastOperatorTestHarness<SourceRecord, Plan, Piece> h = ProcessFunctionTestHarnesses.forBroadcastProcessFunction(
                new RequestDecoder(GRAPH, LaneKeys.of(2, 128)), PlanBroadcast.PLANS);
        open.add(h);
        h.setProcessingTime(NOW);
        h.processElement(new SourceRecord("requests", 0, 1, value), 0);
        List<Piece> pieces = h.extractOutputValues();
        List<DeadLetter> dead = deadLetters(h.getSideOutput(Tags.DEAD_LETTERS));
        if (pieces.isEmpty()) {
            assertThat(dead).as("a record that is not served has its dead letter").hasSize(1);
        } else {
            assertThat(pieces).hasSize(1);
            // Served: a dead letter only for a truth it could not use.
            assertThat(dead).allSatisfy(d -> assertThat(d.getReason()).startsWith("truth not used"));
        }
        assertWritable(dead);
    }

    void assertPlanOutcome(byte[] value) throws Exception {
        OneInputStreamOperatorTestHarness<SourceRecord, Plan> h = ProcessFunctionTestHarnesses.forProcessFunction(new PlanDecoder(GRAPH));
        open.add(h);
        h.processElement(new SourceRecord("plans", 0, 1, value), 0);
        List<Plan> plans = h.extractOutputValues();
        List<DeadLetter> dead = deadLetters(h.getSideOutput(Tags.DEAD_LETTERS));
        assertThat(plans.size() + dead.size()).as("one plan or one dead letter").isEqualTo(1);
        assertWritable(dead);
    }

    static List<DeadLetter> deadLetters(java.util.Queue<StreamRecord<DeadLetter>> q) {
        return q == null ? List.of() : q.stream().map(StreamRecord::getValue).toList();
    }

    static void assertWritable(List<DeadLetter> dead) {
        for (DeadLetter d : dead) {
            assertThat(d.getReason()).isNotBlank().hasSizeLessThanOrEqualTo(DeadLetters.MAX_REASON_CHARS);
            assertThat(AvroBytes.encode(d).length).isLessThan(1024 * 1024);
        }
    }

    // ---- valid records ----

    @Provide
    Arbitrary<byte[]> mutatedRequests() {
        return mutated(Arbitraries.oneOf(smallRequests(), Arbitraries.just(0).map(i -> fullRequest())).map(AvroBytes::encode));
    }

    @Provide
    Arbitrary<byte[]> mutatedPlans() {
        return mutated(plans().map(AvroBytes::encode));
    }

    @Provide
    Arbitrary<byte[]> mutatedTelemetry() {
        return mutated(telemetry().map(AvroBytes::encode));
    }

    /** Requests of any shape and size, mostly too small for the graph: quick to mutate where it matters (headers, lengths). */
    Arbitrary<Request> smallRequests() {
        return Combinators.combine(Arbitraries.strings().ofMaxLength(20), Arbitraries.bytes().array(byte[].class).ofMaxSize(64),
                        Arbitraries.integers().between(-3, 70).list().ofMaxSize(4), truths())
                .as((id, data, shape, truth) -> Request.newBuilder().setRequestId(id).setGraph("xr-scene").setEventTimeMs(NOW)
                        .setDeadlineMs(0).setPayload(new Tensor(ByteBuffer.wrap(data), shape, "float32")).setTruth(truth).build());
    }

    static Request fullRequest() {
        return Request.newBuilder().setRequestId("full").setGraph("xr-scene").setEventTimeMs(NOW).setDeadlineMs(0)
                .setPayload(new Tensor(ByteBuffer.wrap(DemoGraph.frame(3)), List.of(64, 64, 3), "float32")).build();
    }

    Arbitrary<Truth> truths() {
        Arbitrary<TruthObject> object = Combinators.combine(Arbitraries.of("cup", "person", "laptop", "", "unknown"),
                        extremeFloats().list().ofMinSize(0).ofMaxSize(6), extremeFloats())
                .as(TruthObject::new);
        return Arbitraries.oneOf(Arbitraries.just(null), object.list().ofMaxSize(4).map(Truth::new));
    }

    static Arbitrary<Float> extremeFloats() {
        return Arbitraries.oneOf(Arbitraries.floats().between(-2, 5),
                Arbitraries.of(Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MAX_VALUE, -Float.MAX_VALUE,
                        Float.MIN_VALUE, 0f, -0f));
    }

    static Arbitrary<Double> extremeDoubles() {
        return Arbitraries.oneOf(Arbitraries.doubles().between(-10, 200),
                Arbitraries.of(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.MAX_VALUE, -Double.MAX_VALUE, 0d));
    }

    static Arbitrary<Long> extremeLongs() {
        return Arbitraries.oneOf(Arbitraries.longs(), Arbitraries.of(Long.MAX_VALUE, Long.MIN_VALUE, 0L, -1L, NOW, NOW + 7_200_000L,
                NOW - 7_200_000L));
    }

    @Provide
    Arbitrary<Request> extremeRequests() {
        Arbitrary<String> ids = Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(40), Arbitraries.strings().ofLength(300),
                Arbitraries.just(""), Arbitraries.just("   "), Arbitraries.strings().withCharRange('\uD800', '\uDFFF').ofMaxLength(5));
        Arbitrary<ByteBuffer> frames = Arbitraries.oneOf(Arbitraries.just(0).map(i -> ByteBuffer.wrap(DemoGraph.frame(4))),
                extremeFloats().map(f -> {
                    ByteBuffer b = ByteBuffer.wrap(DemoGraph.frame(5)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                    b.putFloat(4 * 100, f);
                    return b;
                }), Arbitraries.bytes().array(byte[].class).ofMaxSize(32).map(ByteBuffer::wrap));
        Arbitrary<List<Integer>> shapes = Arbitraries.oneOf(Arbitraries.just(List.of(64, 64, 3)),
                Arbitraries.integers().list().ofMaxSize(5));
        return Combinators.combine(ids, Arbitraries.of("xr-scene", "other", ""), extremeLongs(), extremeLongs(), frames, shapes,
                        Arbitraries.of("float32", "float64", "int8", "", "complex128"), truths())
                .as((id, graph, time, deadline, data, shape, dtype, truth) -> Request.newBuilder().setRequestId(id).setGraph(graph)
                        .setEventTimeMs(time).setDeadlineMs(deadline).setPayload(new Tensor(data, shape, dtype)).setTruth(truth).build());
    }

    Arbitrary<io.jigsaw.schemas.Plan> plans() {
        return Arbitraries.just(0).map(i -> io.jigsaw.core.plan.PlanAvro.toAvro(
                io.jigsaw.core.plan.PlanFile.read(java.nio.file.Path.of(System.getProperty("jigsaw.examples.dir"), "xr-scene", "plan.json"))));
    }

    @Provide
    Arbitrary<io.jigsaw.schemas.Plan> extremePlans() {
        Arbitrary<Partition> partitions = Combinators.combine(Arbitraries.integers().between(-2, 3), extremeDoubles(),
                        Arbitraries.integers().between(-2, 70), Arbitraries.of("", "detect-s", "classify-xl").injectNull(0.3),
                        extremeDoubles())
                .as((gpu, share, batch, variant, weight) -> Partition.newBuilder().setGpu(gpu).setShare(share).setBatchSize(batch)
                        .setVariant(variant).setWeight(weight).build());
        Arbitrary<TaskPlan> tasks = Combinators.combine(Arbitraries.of("detect", "classify", "depth", "fuse", "other", ""),
                        Arbitraries.of("detect-s", "classify-m", "depth-l", "fuse-s", "nope", ""), Arbitraries.integers(),
                        extremeDoubles(), extremeDoubles(), partitions.list().ofMaxSize(4))
                .as((task, variant, batch, timeout, budget, parts) -> TaskPlan.newBuilder().setTask(task).setVariant(variant)
                        .setBatchSize(batch).setBatchTimeoutMs(timeout).setLatencyBudgetMs(budget).setPartitions(parts).build());
        return Combinators.combine(Arbitraries.of("xr-scene", "other"), extremeLongs(), tasks.list().ofMaxSize(6))
                .as((graph, version, ts) -> {
                    io.jigsaw.schemas.Plan p = plans().sample();
                    p.setGraph(graph);
                    p.setVersion(version);
                    p.setTasks(ts.isEmpty() ? p.getTasks() : ts);
                    return p;
                });
    }

    Arbitrary<Telemetry> telemetry() {
        return Combinators.combine(Arbitraries.strings().ofMaxLength(10), Arbitraries.integers(), extremeLongs(), extremeDoubles())
                .as((task, replica, t, rate) -> Telemetry.newBuilder().setGraph("xr-scene").setTask(task).setReplica(replica)
                        .setWindowEndMs(t).setWindowMs(1000).setArrivals(3).setArrivalRateRps(rate).setQueueLength(0).setBatches(1)
                        .setMeanBatchSize(1).setBatchLatencyP50Ms(1).setBatchLatencyP99Ms(2).setDropped(0).setVariant("detect-s")
                        .setPlanVersion(1).setFanout(List.of(new FanoutCount("detect-s", "classify", 3L, 4L)))
                        .setScores(List.of(new VariantScore("fuse", "fuse-s", 2L, 1.5))).build());
    }

    // ---- mutations ----

    /** {@code valid} records, each changed in one of the ways a broken or hostile producer would. */
    static Arbitrary<byte[]> mutated(Arbitrary<byte[]> valid) {
        return Combinators.combine(valid, Arbitraries.integers().between(0, 7), Arbitraries.integers().between(0, Integer.MAX_VALUE),
                        Arbitraries.oneOf(Arbitraries.of(Arrays.stream(EXTREMES).boxed().toList()), Arbitraries.longs()),
                        Arbitraries.randoms())
                .as((bytes, kind, at, extreme, random) -> mutate(bytes, kind, at % (bytes.length + 1), extreme, random));
    }

    static byte[] mutate(byte[] b, int kind, int at, long extreme, Random random) {
        return switch (kind) {
            case 0 -> Arrays.copyOf(b, at);                                             // cut short
            case 1 -> flipBits(b, 1 + random.nextInt(8), random);                      // bits flipped
            case 2 -> overwrite(b, at, varint(extreme));                                // a count or length overwritten
            case 3 -> insert(b, at, varint(extreme));                                   // a count or length inserted
            case 4 -> concat(b, randomBytes(1 + random.nextInt(32), random));           // bytes appended
            case 5 -> overwrite(b, 2, randomBytes(8, random));                          // a fingerprint no one knows
            case 6 -> overwrite(b, Math.max(10, at), randomBytes(1 + random.nextInt(16), random)); // garbage in the body
            default -> AvroBytes.encode(foreign(random));                               // another record type entirely
        };
    }

    static org.apache.avro.specific.SpecificRecord foreign(Random random) {
        return random.nextBoolean() ? fullRequest() : DeadLetters.of("t", "s", "r", "", 1, new byte[3]);
    }

    static byte[] varint(long v) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            BinaryEncoder e = EncoderFactory.get().directBinaryEncoder(out, null);
            e.writeLong(v);
            e.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static byte[] flipBits(byte[] b, int n, Random random) {
        byte[] out = b.clone();
        for (int i = 0; i < n && out.length > 0; i++) {
            int bit = random.nextInt(out.length * 8);
            out[bit / 8] ^= (byte) (1 << (bit % 8));
        }
        return out;
    }

    static byte[] overwrite(byte[] b, int at, byte[] with) {
        byte[] out = Arrays.copyOf(b, Math.max(b.length, at + with.length));
        System.arraycopy(with, 0, out, at, with.length);
        return out;
    }

    static byte[] insert(byte[] b, int at, byte[] what) {
        byte[] out = new byte[b.length + what.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(what, 0, out, at, what.length);
        System.arraycopy(b, at, out, at + what.length, b.length - at);
        return out;
    }

    static byte[] concat(byte[] a, byte[] b) {
        return insert(a, a.length, b);
    }

    static byte[] randomBytes(int n, Random random) {
        byte[] out = new byte[n];
        random.nextBytes(out);
        return out;
    }
}
