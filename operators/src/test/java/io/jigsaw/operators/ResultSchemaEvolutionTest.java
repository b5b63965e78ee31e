package io.jigsaw.operators;

import io.jigsaw.schemas.AvroBytes;
import io.jigsaw.schemas.DetectedObject;
import io.jigsaw.schemas.Request;
import io.jigsaw.schemas.Result;
import io.jigsaw.schemas.SchemaVersions;
import io.jigsaw.schemas.Telemetry;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Results written today stay readable by consumers built on the first Result schema, and records of
 * the first schema stay readable by today's: through Avro resolution, with every published version
 * from the schema store.
 */
class ResultSchemaEvolutionTest {

    static final Schema V1 = SchemaVersions.of("Result").get(0);

    @Test
    void theNewestStoredVersionIsTheOneTheCodeWrites() {
        for (Schema current : List.of(Result.getClassSchema(), Telemetry.getClassSchema(), Request.getClassSchema(),
                io.jigsaw.schemas.Plan.getClassSchema(), io.jigsaw.schemas.DeadLetter.getClassSchema())) {
            List<Schema> versions = SchemaVersions.of(current.getName());
            assertThat(SchemaNormalization.parsingFingerprint64(versions.get(versions.size() - 1)))
                    .as("schema-store/%s/v%d.avsc is what %s.avsc says; a change needs a new version file", current.getName(),
                            versions.size(), current.getName())
                    .isEqualTo(SchemaNormalization.parsingFingerprint64(current));
        }
    }

    /** Plans published before traffic splits (schema v1) still reach today's operators: every replica runs the task's variant. */
    @Test
    void todaysReaderReadsAPlanWrittenWithTheFirstPlanSchema() throws Exception {
        Schema v1 = SchemaVersions.of("Plan").get(0);
        org.apache.avro.generic.GenericRecord partition = new org.apache.avro.generic.GenericData.Record(
                v1.getField("tasks").schema().getElementType().getField("partitions").schema().getElementType());
        partition.put("gpu", 0);
        partition.put("share", 50.0);
        org.apache.avro.generic.GenericRecord task = new org.apache.avro.generic.GenericData.Record(v1.getField("tasks").schema().getElementType());
        task.put("task", "detect");
        task.put("variant", "detect-s");
        task.put("batch_size", 4);
        task.put("batch_timeout_ms", 10.0);
        task.put("latency_budget_ms", 100.0);
        task.put("partitions", List.of(partition));
        org.apache.avro.generic.GenericRecord plan = new org.apache.avro.generic.GenericData.Record(v1);
        plan.put("graph", "xr-scene");
        plan.put("version", 3L);
        plan.put("created_by", "old sidecar");
        plan.put("note", "");
        plan.put("tasks", List.of(task));
        byte[] bytes = encode(v1, plan);

        io.jigsaw.core.plan.TaskPlan read = io.jigsaw.core.plan.PlanAvro.fromAvro(AvroBytes.decode(bytes, io.jigsaw.schemas.Plan.class)).tasks().get(0);

        assertThat(read.partitions()).containsExactly(new io.jigsaw.core.plan.Partition(0, 50.0));
        assertThat(read.variantOf(0)).isEqualTo("detect-s");
        assertThat(read.split()).isFalse();
    }

    @Test
    void aReaderOfTheFirstResultSchemaReadsTodaysResults() throws Exception {
        Result today = Result.newBuilder().setRequestId("r1").setGraph("g").setEventTimeMs(1).setCompletedMs(5).setLatencyMs(4)
                .setSloMet(true).setVariants(Map.of("detect", "detect-s")).setAccuracy(0.9).setTaskRuns(3).setDropped(false)
                .setPlanVersion(2)
                .setObjects(List.of(DetectedObject.newBuilder().setId("detect:0").setBox(List.of(0f, 0f, 1f, 1f)).setScore(0.9f)
                        .setOutputs(List.of()).build()))
                .build();
        byte[] bytes = AvroBytes.encode(today);

        // A consumer that knows only v1 as its reader schema, and every published version as writers.
        BinaryMessageDecoder<GenericRecord> old = new BinaryMessageDecoder<>(GenericData.get(), V1);
        SchemaVersions.of("Result").forEach(old::addSchema);
        GenericRecord read = old.decode(bytes);

        assertThat(read.getSchema().getField("objects")).isNull();
        assertThat(read.get("request_id").toString()).isEqualTo("r1");
        assertThat(read.get("plan_version")).isEqualTo(2L);
    }

    /** Requests gained pictures in v3 (payload may be null, image may carry the frame): both ways stay readable for tensors. */
    @Test
    void aRequestOfVersion2IsReadTodayAndAVersion2ReaderReadsTodaysTensorRequests() throws Exception {
        Schema v2 = SchemaVersions.of("Request").get(1);
        byte[] fromOldProducer = encode(v2, tensorRequest(v2, "old-producer", "xr-scene", new byte[] {1, 2, 3, 4}, List.of(1)));

        io.jigsaw.schemas.Request today = AvroBytes.decode(fromOldProducer, io.jigsaw.schemas.Request.class);
        assertThat(today.getPayload().getShape()).containsExactly(1);
        assertThat(today.getImage()).isNull();

        io.jigsaw.schemas.Request tensorToday = RequestDecoderHarnessTest.request("new-producer", 7);
        BinaryMessageDecoder<GenericRecord> oldReader = new BinaryMessageDecoder<>(GenericData.get(), v2);
        SchemaVersions.of("Request").forEach(oldReader::addSchema);
        GenericRecord read = oldReader.decode(AvroBytes.encode(tensorToday));
        assertThat(read.get("request_id").toString()).isEqualTo("new-producer");
        assertThat(((GenericRecord) read.get("payload")).get("shape")).isEqualTo(List.of(64, 64, 3));
        assertThat(read.getSchema().getField("image")).as("a v2 reader does not see pictures").isNull();
    }

    @Test
    void todaysReaderReadsResultsOfTheFirstSchemaWithNoObjects() throws Exception {
        GenericRecord v1 = new GenericData.Record(V1);
        v1.put("request_id", "old");
        v1.put("graph", "g");
        v1.put("event_time_ms", 1L);
        v1.put("completed_ms", 2L);
        v1.put("latency_ms", 1L);
        v1.put("slo_met", true);
        v1.put("variants", Map.of());
        v1.put("accuracy", 1.0);
        v1.put("task_runs", 1);
        v1.put("dropped", false);
        v1.put("drop_reason", "");
        v1.put("plan_version", 1L);
        v1.put("transfer_ms", 0.0);
        v1.put("queue_ms", 0.0);
        v1.put("model_ms", 0.0);
        v1.put("hops", 0);
        byte[] bytes = encode(V1, v1);

        Result r = AvroBytes.decode(bytes, Result.class);

        assertThat(r.getRequestId()).isEqualTo("old");
        assertThat(r.getObjects()).isEmpty();
        assertThat(r.getOutputs()).isEmpty();
        assertThat(SpecificData.get().getSchema(Result.class).getField("objects")).isNotNull();
    }

    @Test
    void aRequestOfTheFirstSchemaIsReadWithoutTruth() throws Exception {
        Schema v1 = SchemaVersions.of("Request").get(0);
        byte[] bytes = encode(v1, tensorRequest(v1, "r1", "g", new byte[12], List.of(1, 1, 3)));

        Request r = AvroBytes.decode(bytes, Request.class);

        assertThat(r.getRequestId()).isEqualTo("r1");
        assertThat(r.getTruth()).isNull();
    }

    /** A request of an older schema with a float32 tensor payload, sent at 5 ms with no deadline, as its producers made them. */
    private static GenericRecord tensorRequest(Schema version, String id, String graph, byte[] data, List<Integer> shape) {
        GenericRecord tensor = new GenericData.Record(version.getField("payload").schema());
        tensor.put("data", ByteBuffer.wrap(data));
        tensor.put("shape", shape);
        tensor.put("dtype", "float32");
        GenericRecord old = new GenericData.Record(version);
        old.put("request_id", id);
        old.put("graph", graph);
        old.put("event_time_ms", 5L);
        old.put("deadline_ms", 0L);
        old.put("payload", tensor);
        return old;
    }

    /** A record in the single-object encoding of the schema it was written with, as an older producer sends it. */
    private static byte[] encode(Schema writer, GenericRecord record) throws java.io.IOException {
        ByteBuffer written = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), writer).encode(record);
        byte[] bytes = new byte[written.remaining()];
        written.get(bytes);
        return bytes;
    }
}
