package io.jigsaw.operators;

import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Writes a {@link Piece} field by field, in a fixed order, without reflection: a piece crosses the
 * network on every hop and sits in keyed state while it waits for a batch, and Flink's POJO serializer,
 * which reads and sets each of its fields reflectively, was a third of the job's CPU in the framework
 * benchmark. The nested reports, join parts and truth (on few pieces) keep Flink's own serializers.
 * A field added to Piece must be added here: {@code PieceSerializerTest} fails on one that is not.
 *
 * <p>Pieces sit in savepoints (queued for a batch, half-joined, waiting for the rest of a request), so
 * the format is versioned: {@link #FORMAT} and Piece's fields go into every savepoint
 * ({@link PieceSerializerSnapshot}), and a build restoring one decides whether it can read it
 * ({@link PieceFormats}). Changing Piece's fields means bumping {@link #FORMAT} and keeping a reader of
 * the old format there; {@code SavepointCompatibilityTest} fails the day someone does one without the other.
 */
public final class PieceSerializer extends TypeSerializer<Piece> {

    private static final long serialVersionUID = 1L;

    /** The format this build writes; see {@link PieceFormats} for the formats it can still read. */
    public static final int FORMAT = 1;

    private final TypeSerializer<TaskReport[]> reports;
    private final TypeSerializer<JoinPart[]> joinParts;
    private final TypeSerializer<GroundTruth[]> truth;
    /** The format it reads: this build's, or an older one kept in {@link PieceFormats#OLDER} (a restore's migration). */
    private final int format;

    /** Reads one piece written in an older format; {@code current} gives the nested serializers. */
    interface Reader extends java.io.Serializable {
        Piece read(DataInputView in, PieceSerializer current) throws IOException;
    }

    public PieceSerializer() {
        this(new SerializerConfigImpl());
    }

    PieceSerializer(SerializerConfig config) {
        this(TypeInformation.of(TaskReport[].class).createSerializer(config),
                TypeInformation.of(JoinPart[].class).createSerializer(config),
                TypeInformation.of(GroundTruth[].class).createSerializer(config));
    }

    private PieceSerializer(TypeSerializer<TaskReport[]> reports, TypeSerializer<JoinPart[]> joinParts,
            TypeSerializer<GroundTruth[]> truth) {
        this(reports, joinParts, truth, FORMAT);
    }

    private PieceSerializer(TypeSerializer<TaskReport[]> reports, TypeSerializer<JoinPart[]> joinParts,
            TypeSerializer<GroundTruth[]> truth, int format) {
        if (format != FORMAT && !PieceFormats.OLDER.containsKey(format)) {
            throw new IllegalArgumentException("no reader of Piece format " + format + " in this build");
        }
        this.reports = reports;
        this.joinParts = joinParts;
        this.truth = truth;
        this.format = format;
    }

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public TypeSerializer<Piece> duplicate() {
        return new PieceSerializer(reports.duplicate(), joinParts.duplicate(), truth.duplicate(), format);
    }

    @Override
    public Piece createInstance() {
        return new Piece();
    }

    /** A deep copy (the heap state backend copies values it is snapshotting): written and read back. */
    @Override
    public Piece copy(Piece from) {
        try {
            DataOutputSerializer out = new DataOutputSerializer(256);
            serialize(from, out);
            return deserialize(new DataInputDeserializer(out.getSharedBuffer(), 0, out.length()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Piece copy(Piece from, Piece reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(Piece p, DataOutputView out) throws IOException {
        string(p.requestId, out);
        string(p.graph, out);
        out.writeLong(p.eventTimeMs);
        out.writeLong(p.deadlineMs);
        bytes(p.payload, out);
        ints(p.shape, out);
        string(p.dtype, out);
        bytes(p.frame, out);
        string(p.objectId, out);
        floats(p.box, out);
        out.writeFloat(p.boxScore);
        nullable(p.reports, reports, out);
        nullable(p.joinParts, joinParts, out);
        nullable(p.truth, truth, out);
        string(p.truthRejected, out);
        out.writeInt(p.laneKey);
        string(p.lineage, out);
        out.writeLong(p.creditNumerator);
        out.writeLong(p.creditDenominator);
        out.writeDouble(p.accuracy);
        string(p.variants, out);
        out.writeInt(p.taskRuns);
        out.writeLong(p.planVersion);
        out.writeBoolean(p.skip);
        out.writeBoolean(p.dropped);
        string(p.dropReason, out);
        out.writeLong(p.sentMicros);
        out.writeLong(p.arrivedMicros);
        out.writeLong(p.transferMicros);
        out.writeLong(p.queueMicros);
        out.writeLong(p.modelMicros);
        out.writeInt(p.hops);
    }

    @Override
    public Piece deserialize(DataInputView in) throws IOException {
        if (format != FORMAT) {
            return PieceFormats.OLDER.get(format).read(in, this);
        }
        Piece p = new Piece();
        p.requestId = string(in);
        p.graph = string(in);
        p.eventTimeMs = in.readLong();
        p.deadlineMs = in.readLong();
        p.payload = bytes(in);
        p.shape = ints(in);
        p.dtype = string(in);
        p.frame = bytes(in);
        p.objectId = string(in);
        p.box = floats(in);
        p.boxScore = in.readFloat();
        p.reports = nullable(reports, in);
        p.joinParts = nullable(joinParts, in);
        p.truth = nullable(truth, in);
        p.truthRejected = string(in);
        p.laneKey = in.readInt();
        p.lineage = string(in);
        p.creditNumerator = in.readLong();
        p.creditDenominator = in.readLong();
        p.accuracy = in.readDouble();
        p.variants = string(in);
        p.taskRuns = in.readInt();
        p.planVersion = in.readLong();
        p.skip = in.readBoolean();
        p.dropped = in.readBoolean();
        p.dropReason = string(in);
        p.sentMicros = in.readLong();
        p.arrivedMicros = in.readLong();
        p.transferMicros = in.readLong();
        p.queueMicros = in.readLong();
        p.modelMicros = in.readLong();
        p.hops = in.readInt();
        return p;
    }

    @Override
    public Piece deserialize(Piece reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PieceSerializer other && other.format == format;
    }

    @Override
    public int hashCode() {
        return PieceSerializer.class.hashCode() * 31 + format;
    }

    @Override
    public String toString() {
        return "PieceSerializer(format " + format + ")";
    }

    int format() {
        return format;
    }

    @Override
    public TypeSerializerSnapshot<Piece> snapshotConfiguration() {
        return new PieceSerializerSnapshot(this);
    }

    TypeSerializer<?>[] nested() {
        return new TypeSerializer<?>[] {reports, joinParts, truth};
    }

    @SuppressWarnings("unchecked")
    static PieceSerializer withNested(TypeSerializer<?>[] nested, int format) {
        return new PieceSerializer((TypeSerializer<TaskReport[]>) nested[0], (TypeSerializer<JoinPart[]>) nested[1],
                (TypeSerializer<GroundTruth[]>) nested[2], format);
    }

    /**
     * The snapshot of builds before formats were versioned: read only, so their savepoints still restore. It
     * recorded nothing, and what those builds wrote is format 1 with Flink's default nested serializers.
     */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<Piece> {
        public Snapshot() {
            super(() -> withNested(new PieceSerializer().nested(), 1));
        }
    }

    private static void string(String s, DataOutputView out) throws IOException {
        StringSerializer.INSTANCE.serialize(s, out);
    }

    private static String string(DataInputView in) throws IOException {
        return StringSerializer.INSTANCE.deserialize(in);
    }

    private static void bytes(byte[] b, DataOutputView out) throws IOException {
        out.writeInt(b == null ? -1 : b.length);
        if (b != null) {
            out.write(b);
        }
    }

    private static byte[] bytes(DataInputView in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            return null;
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }

    private static void ints(int[] v, DataOutputView out) throws IOException {
        out.writeInt(v == null ? -1 : v.length);
        if (v != null) {
            for (int x : v) {
                out.writeInt(x);
            }
        }
    }

    private static int[] ints(DataInputView in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            return null;
        }
        int[] v = new int[n];
        for (int i = 0; i < n; i++) {
            v[i] = in.readInt();
        }
        return v;
    }

    private static void floats(float[] v, DataOutputView out) throws IOException {
        out.writeInt(v == null ? -1 : v.length);
        if (v != null) {
            for (float x : v) {
                out.writeFloat(x);
            }
        }
    }

    private static float[] floats(DataInputView in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            return null;
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = in.readFloat();
        }
        return v;
    }

    private static <T> void nullable(T value, TypeSerializer<T> serializer, DataOutputView out) throws IOException {
        out.writeBoolean(value != null);
        if (value != null) {
            serializer.serialize(value, out);
        }
    }

    private static <T> T nullable(TypeSerializer<T> serializer, DataInputView in) throws IOException {
        return in.readBoolean() ? serializer.deserialize(in) : null;
    }
}
