package io.jigsaw.schemas;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.io.JsonEncoder;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The wire format's test vectors ({@code schema-store/test-vectors.json}), the spec a client in another
 * language tests itself against: per record, the writer schema's file, its Parsing Canonical Form, its
 * CRC-64-AVRO fingerprint, the record in Avro's JSON encoding and its single-object encoding as hex.
 * Checked both ways here — the bytes decode to the JSON, the JSON encodes to the bytes — and the file
 * must be what these samples make today ({@code -Djigsaw.vectors.write=true} rewrites it).
 */
class TestVectorsTest {

    static final Path FILE = Path.of("src/main/schema-store/test-vectors.json");
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** The records the vectors hold: each type's newest version, and a request of an older one. */
    static Map<String, SpecificRecord> samples() {
        Map<String, SpecificRecord> out = new LinkedHashMap<>();
        ByteBuffer frame = ByteBuffer.allocate(2 * 2 * 3 * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 12; i++) {
            frame.putFloat(i / 11f);
        }
        frame.flip();
        out.put("a request carrying a 2x2x3 float32 tensor", Request.newBuilder().setRequestId("r-1").setGraph("xr-scene")
                .setEventTimeMs(1_800_000_000_000L).setDeadlineMs(0)
                .setPayload(Tensor.newBuilder().setData(frame).setShape(List.of(2, 2, 3)).setDtype("float32").build())
                .setTruth(new Truth(List.of(new TruthObject("cup", List.of(0.1f, 0.2f, 0.3f, 0.4f), 1.5f)))).build());
        // One orange pixel.
        byte[] png = HexFormat.of().parseHex("89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de"
                + "0000000c49444154789c63f8dfc0000004010180c52a185d0000000049454e44ae426082");
        out.put("a request carrying a 1x1 PNG", Request.newBuilder().setRequestId("r-2").setGraph("xr-scene")
                .setEventTimeMs(1_800_000_000_001L).setDeadlineMs(1_800_000_000_401L)
                .setImage(EncodedImage.newBuilder().setContentType("image/png").setData(ByteBuffer.wrap(png)).build()).build());
        out.put("a plan", Plan.newBuilder().setGraph("xr-scene").setVersion(7).setCreatedBy("planner").setNote("example")
                .setTasks(List.of(TaskPlan.newBuilder().setTask("detect").setVariant("detect-l").setBatchSize(2).setBatchTimeoutMs(5)
                        .setLatencyBudgetMs(120).setPartitions(List.of(Partition.newBuilder().setGpu(0).setShare(40).build())).build()))
                .build());
        out.put("a result", Result.newBuilder().setRequestId("r-1").setGraph("xr-scene").setEventTimeMs(1_800_000_000_000L)
                .setCompletedMs(1_800_000_000_020L).setLatencyMs(20).setSloMet(true).setVariants(Map.of("detect", "detect-l"))
                .setAccuracy(0.812).setTaskRuns(1).setDropped(false).setDropReason("").setPlanVersion(7).setTransferMs(1.5)
                .setQueueMs(0.25).setModelMs(3).setHops(4).setObjects(List.of()).setOutputs(List.of()).setAccuracyMeasured(1.0)
                .setTaskScores(Map.of("detect", 1.0)).build());
        out.put("telemetry", Telemetry.newBuilder().setGraph("xr-scene").setTask("detect").setReplica(0).setWindowEndMs(1_800_000_001_000L)
                .setWindowMs(1000).setArrivals(12).setArrivalRateRps(12).setQueueLength(0).setBatches(6).setMeanBatchSize(2)
                .setBatchLatencyP50Ms(2.5).setBatchLatencyP99Ms(4).setDropped(0).setVariant("detect-l").setPlanVersion(7).build());
        out.put("a dead letter", DeadLetter.newBuilder().setSourceTopic("requests").setStage("decode-request")
                .setReason("not an Avro Request record").setRequestId("").setTimeMs(1_800_000_000_000L)
                .setOriginal(ByteBuffer.wrap(new byte[] {1, 2, 3})).setSourcePartition(0).setSourceOffset(42).setOriginalSize(3).build());
        return out;
    }

    /** The vectors the samples make: each written with its type's newest stored schema. */
    static JsonNode vectors() throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("about", "Test vectors of Jigsaw's wire format (docs/formats.md#wire-format): each record's single-object encoding"
                + " (C3 01, the writer schema's CRC-64-AVRO fingerprint of its Parsing Canonical Form as 8 little-endian bytes, then"
                + " the Avro binary body) as hex, the same record in Avro's JSON encoding, and the writer schema's file in"
                + " schema-store/. A client decodes bytes_hex to json and encodes json to bytes_hex.");
        ArrayNode list = root.putArray("vectors");
        for (Map.Entry<String, SpecificRecord> e : samples().entrySet()) {
            String type = e.getValue().getSchema().getName();
            List<Schema> versions = SchemaVersions.of(type);
            Schema writer = versions.get(versions.size() - 1);
            byte[] bytes = AvroBytes.encode(e.getValue());
            long fp = SchemaNormalization.parsingFingerprint64(writer);
            ObjectNode v = list.addObject();
            v.put("what", e.getKey());
            v.put("record", type);
            v.put("schema_file", "schema-store/" + type + "/v" + versions.size() + ".avsc");
            v.put("canonical_form", SchemaNormalization.toParsingForm(writer));
            v.put("fingerprint_int64", fp);
            v.put("fingerprint_hex_le", HexFormat.of().formatHex(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(fp).array()));
            v.set("json", JSON.readTree(json(writer, new BinaryMessageDecoder<GenericRecord>(GenericData.get(), writer).decode(bytes))));
            v.put("bytes_hex", HexFormat.of().formatHex(bytes));
        }
        return root;
    }

    static String json(Schema schema, GenericRecord record) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        JsonEncoder e = EncoderFactory.get().jsonEncoder(schema, out);
        new GenericDatumWriter<GenericRecord>(schema).write(record, e);
        e.flush();
        return out.toString(StandardCharsets.UTF_8);
    }

    static Schema stored(String file) throws IOException {
        try (InputStream in = TestVectorsTest.class.getResourceAsStream("/" + file)) {
            assertThat(in).as(file).isNotNull();
            return new Schema.Parser().parse(in);
        }
    }

    @Test
    void theVectorsFileIsWhatTheSamplesMakeToday() throws IOException {
        String made = JSON.writeValueAsString(vectors()) + "\n";
        if (Boolean.getBoolean("jigsaw.vectors.write")) {
            Files.writeString(FILE, made);
        }
        assertThat(Files.readString(FILE)).as("schema-store/test-vectors.json (rewrite: -Djigsaw.vectors.write=true)").isEqualTo(made);
    }

    @Test
    void everyVectorsBytesDecodeToItsJsonAndItsJsonEncodesToItsBytes() throws IOException {
        JsonNode vectors = JSON.readTree(FILE.toFile()).path("vectors");
        assertThat(vectors).hasSizeGreaterThanOrEqualTo(6);
        for (JsonNode v : vectors) {
            Schema writer = stored(v.path("schema_file").asText());
            String what = v.path("what").asText();
            assertThat(SchemaNormalization.toParsingForm(writer)).as(what).isEqualTo(v.path("canonical_form").asText());
            long fp = SchemaNormalization.parsingFingerprint64(writer);
            assertThat(fp).as(what).isEqualTo(v.path("fingerprint_int64").asLong());
            byte[] bytes = HexFormat.of().parseHex(v.path("bytes_hex").asText());
            assertThat(HexFormat.of().formatHex(bytes, 0, 2)).isEqualTo("c301");
            assertThat(HexFormat.of().formatHex(bytes, 2, 10)).as(what).isEqualTo(v.path("fingerprint_hex_le").asText());

            GenericRecord decoded = new BinaryMessageDecoder<GenericRecord>(GenericData.get(), writer).decode(bytes);
            assertThat(JSON.readTree(json(writer, decoded))).as(what + ": bytes to JSON").isEqualTo(v.path("json"));

            GenericRecord fromJson = new GenericDatumReader<GenericRecord>(writer)
                    .read(null, DecoderFactory.get().jsonDecoder(writer, v.path("json").toString()));
            byte[] encoded = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), writer).encode(fromJson).array();
            assertThat(HexFormat.of().formatHex(encoded)).as(what + ": JSON to bytes").isEqualTo(v.path("bytes_hex").asText());
        }
    }
}
