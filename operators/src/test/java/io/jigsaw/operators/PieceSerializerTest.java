package io.jigsaw.operators;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class PieceSerializerTest {

    private final PieceSerializer serializer = new PieceSerializer();

    /** Every field away from its default, so a field the serializer forgets cannot pass unnoticed. */
    private static Piece everyFieldSet() {
        Piece p = new Piece();
        p.requestId = "r-1";
        p.graph = "xr-scene";
        p.eventTimeMs = 11;
        p.deadlineMs = 12;
        p.payload = new byte[] {1, 2, 3};
        p.shape = new int[] {1, 3};
        p.dtype = "float32";
        p.frame = new byte[] {9, 8};
        p.objectId = "detect:0";
        p.box = new float[] {0.1f, 0.2f, 0.3f, 0.4f};
        p.boxScore = 0.9f;
        TaskReport report = new TaskReport();
        report.task = "classify";
        report.variant = "classify-l";
        report.objectId = "detect:0";
        report.box = new float[] {0, 0, 1, 1};
        report.boxScore = 0.5f;
        report.names = new String[] {"probabilities"};
        report.values = new float[][] {{0.25f, 0.75f}};
        p.reports = new TaskReport[] {report};
        JoinPart part = new JoinPart();
        part.from = "depth";
        part.objectId = "detect:0";
        part.values = new float[] {2.5f};
        p.joinParts = new JoinPart[] {part};
        GroundTruth truth = new GroundTruth();
        truth.label = "cup";
        truth.box = new float[] {0.1f, 0.1f, 0.2f, 0.2f};
        truth.distance = 1.5f;
        p.truth = new GroundTruth[] {truth};
        p.truthRejected = "why";
        p.laneKey = 7;
        p.lineage = "r/classify0";
        p.creditNumerator = 2;
        p.creditDenominator = 3;
        p.accuracy = 0.8;
        p.variants = "detect=detect-l";
        p.taskRuns = 2;
        p.planVersion = 4;
        p.skip = true;
        p.dropped = true;
        p.dropReason = "late";
        p.sentMicros = 100;
        p.arrivedMicros = 101;
        p.transferMicros = 102;
        p.queueMicros = 103;
        p.modelMicros = 104;
        p.hops = 5;
        return p;
    }

    private Piece roundTrip(Piece p) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(p, out);
        return serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
    }

    @Test
    void everyFieldOfAPieceSurvivesTheWire() throws Exception {
        Piece sample = everyFieldSet();
        Piece blank = new Piece();
        for (Field f : Piece.class.getFields()) {
            if (!Modifier.isStatic(f.getModifiers())) {
                assertThat(Objects.deepEquals(f.get(sample), f.get(blank)))
                        .as("the sample sets field '%s': a new field must be set here and written by PieceSerializer", f.getName())
                        .isFalse();
            }
        }

        assertThat(roundTrip(sample)).usingRecursiveComparison().isEqualTo(sample);
        assertThat(serializer.copy(sample)).usingRecursiveComparison().isEqualTo(sample);
    }

    @Test
    void nullsStayNull() throws Exception {
        Piece blank = new Piece();

        assertThat(roundTrip(blank)).usingRecursiveComparison().isEqualTo(blank);
    }

    @Test
    void aCopySharesNoArrayWithTheOriginal() {
        Piece sample = everyFieldSet();

        Piece copy = serializer.copy(sample);
        copy.payload[0] = 42;
        copy.reports[0].values[0][0] = 42;

        assertThat(sample.payload).isEqualTo(new byte[] {1, 2, 3});
        assertThat(Arrays.copyOf(sample.reports[0].values[0], 1)).containsExactly(0.25f);
    }

    @Test
    void flinkUsesItForPieces() {
        TypeInformation<Piece> info = TypeInformation.of(Piece.class);

        assertThat(info).isInstanceOf(PieceTypeInfo.class);
        assertThat(serializer.snapshotConfiguration().restoreSerializer()).isEqualTo(serializer);
    }

    @Test
    void aSnapshotRecordsTheFormatAndPiecesFieldsAndRestoresAsIsInTheSameBuild() throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(256);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, serializer.snapshotConfiguration());
        TypeSerializerSnapshot<Piece> read = TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader());

        assertThat(read).isInstanceOfSatisfying(PieceSerializerSnapshot.class, s -> {
            assertThat(s.format()).isEqualTo(PieceSerializer.FORMAT);
            assertThat(s.fields()).contains("String requestId", "byte[] payload", "TaskReport[] reports");
        });
        assertThat(serializer.snapshotConfiguration().resolveSchemaCompatibility(read).isCompatibleAsIs()).isTrue();
        assertThat(read.restoreSerializer()).isEqualTo(serializer);
    }

    @Test
    void aSavepointOfTheBuildBeforeVersionedFormatsRestoresAsFormatOne() {
        assertThat(serializer.snapshotConfiguration().resolveSchemaCompatibility(new PieceSerializer.Snapshot())
                .isCompatibleAsIs()).isTrue();
    }

    @Test
    void piecesFieldsChangedWithoutANewFormatIsIncompatibleAndSaysWhatToDo() {
        List<String> now = List.of("String requestId", "int hops", "long deadlineMs");
        List<String> then = List.of("String requestId", "long deadlineMs", "long spare");

        PieceFormats.Decision d = PieceFormats.decide(1, then, 1, now, Set.of());

        assertThat(d.compatibility()).isEqualTo(PieceFormats.Compatibility.INCOMPATIBLE);
        assertThat(d.reason()).contains("added int hops; removed long spare", "bump FORMAT",
                "keep a reader of format 1 in PieceFormats.OLDER", "start the job without the savepoint");
    }

    @Test
    void anOlderFormatWithAReaderIsMigratedAndWithoutOneIsNot() {
        List<String> fields = List.of("String requestId");

        assertThat(PieceFormats.decide(1, fields, 2, fields, Set.of(1)).compatibility())
                .isEqualTo(PieceFormats.Compatibility.AFTER_MIGRATION);
        assertThat(PieceFormats.decide(1, fields, 2, fields, Set.of()).reason()).contains("no longer reads format 1");
        assertThat(PieceFormats.decide(3, fields, 2, fields, Set.of()).reason()).contains("written by a newer build");
        assertThat(PieceFormats.decide(2, fields, 2, fields, Set.of()).compatibility())
                .isEqualTo(PieceFormats.Compatibility.AS_IS);
    }
}
