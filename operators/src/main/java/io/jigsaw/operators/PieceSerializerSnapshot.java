package io.jigsaw.operators;

import org.apache.flink.api.common.typeutils.CompositeTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What a savepoint records about {@link PieceSerializer}: the Piece format it wrote, Piece's fields then, and
 * the snapshots of the nested serializers (reports, join parts, truth: Flink's own, which evolve by their own
 * rules). A restore asks the new build's snapshot to {@link #resolveSchemaCompatibility judge} the old one:
 * {@link PieceFormats#decide} for the pieces themselves, Flink for the nested serializers. An incompatible
 * savepoint fails the restore with {@link IncompatibleStateException}, whose message says what changed and
 * what to do, rather than Flink's generic "must not be incompatible".
 */
public final class PieceSerializerSnapshot extends CompositeTypeSerializerSnapshot<Piece, PieceSerializer> {

    /** This snapshot's own layout (format, fields); not the Piece format. */
    private static final int OUTER_VERSION = 1;

    private int format;
    private List<String> fields;

    /** For Flink, which reads a snapshot into a new instance. */
    public PieceSerializerSnapshot() {
        super(PieceSerializer.class);
    }

    PieceSerializerSnapshot(PieceSerializer serializer) {
        super(serializer);
        this.format = serializer.format();
        this.fields = PieceFormats.fields();
    }

    /** Thrown when a savepoint's pieces cannot be read by this build; its message says why and what to do. */
    public static final class IncompatibleStateException extends IllegalStateException {
        public IncompatibleStateException(String message) {
            super(message);
        }
    }

    int format() {
        return format;
    }

    List<String> fields() {
        return fields;
    }

    @Override
    protected int getCurrentOuterSnapshotVersion() {
        return OUTER_VERSION;
    }

    @Override
    protected TypeSerializer<?>[] getNestedSerializers(PieceSerializer outer) {
        return outer.nested();
    }

    /** The serializer a restore reads with: the format the savepoint was written in. */
    @Override
    protected PieceSerializer createOuterSerializerWithNestedSerializers(TypeSerializer<?>[] nested) {
        return PieceSerializer.withNested(nested, format);
    }

    @Override
    protected void writeOuterSnapshot(DataOutputView out) throws IOException {
        out.writeInt(format);
        out.writeInt(fields.size());
        for (String f : fields) {
            out.writeUTF(f);
        }
    }

    @Override
    protected void readOuterSnapshot(int version, DataInputView in, ClassLoader loader) throws IOException {
        format = in.readInt();
        int n = in.readInt();
        fields = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            fields.add(in.readUTF());
        }
    }

    @Override
    public TypeSerializerSchemaCompatibility<Piece> resolveSchemaCompatibility(TypeSerializerSnapshot<Piece> old) {
        if (old instanceof PieceSerializer.Snapshot) {
            // A build before versioned formats: format 1 and Flink's default nested serializers, all it could write.
            return judge(PieceFormats.decide(1, PieceFormats.fields())) == OuterSchemaCompatibility.COMPATIBLE_AS_IS
                    ? TypeSerializerSchemaCompatibility.compatibleAsIs()
                    : TypeSerializerSchemaCompatibility.compatibleAfterMigration();
        }
        return super.resolveSchemaCompatibility(old);
    }

    @Override
    protected OuterSchemaCompatibility resolveOuterSchemaCompatibility(TypeSerializerSnapshot<Piece> old) {
        if (!(old instanceof PieceSerializerSnapshot previous)) {
            throw new IncompatibleStateException("the savepoint's pieces were written by " + old.getClass().getName()
                    + ", not by Jigsaw's PieceSerializer: it is not a savepoint of this job");
        }
        return judge(PieceFormats.decide(previous.format, previous.fields));
    }

    private static OuterSchemaCompatibility judge(PieceFormats.Decision decision) {
        return switch (decision.compatibility()) {
            case AS_IS -> OuterSchemaCompatibility.COMPATIBLE_AS_IS;
            case AFTER_MIGRATION -> OuterSchemaCompatibility.COMPATIBLE_AFTER_MIGRATION;
            case INCOMPATIBLE -> throw new IncompatibleStateException(decision.reason());
        };
    }
}
