package io.jigsaw.operators;

import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import io.jigsaw.schemas.SchemaVersions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.HexFormat;

/**
 * Topic values in Avro's single-object encoding: the marker {@code C3 01}, the 8-byte CRC-64-AVRO
 * fingerprint of the writer's schema, then the Avro binary. What producers write and the job reads.
 * The fingerprint names the schema a record was written with, so a record of another schema or
 * another version of ours is rejected with that said, instead of being misread; and a reader that
 * learns an older schema can resolve its records.
 */
public final class AvroBytes {

    private static final ClassValue<BinaryMessageEncoder<SpecificRecord>> ENCODERS = new ClassValue<>() {
        @Override
        protected BinaryMessageEncoder<SpecificRecord> computeValue(Class<?> type) {
            return new BinaryMessageEncoder<>(SpecificData.getForClass(type), SpecificData.get().getSchema(type));
        }
    };

    private static final ClassValue<BinaryMessageDecoder<SpecificRecord>> DECODERS = new ClassValue<>() {
        @Override
        protected BinaryMessageDecoder<SpecificRecord> computeValue(Class<?> type) {
            BinaryMessageDecoder<SpecificRecord> decoder = new BinaryMessageDecoder<>(SpecificData.getForClass(type),
                    SpecificData.get().getSchema(type));
            // Records written with any published version resolve into this one (new fields take their defaults).
            SchemaVersions.of(type.getSimpleName()).forEach(decoder::addSchema);
            return decoder;
        }
    };

    private AvroBytes() {
    }

    public static <T extends SpecificRecord> T decode(byte[] bytes, Class<T> type) throws IOException {
        try {
            return type.cast(DECODERS.get(type).decode(bytes));
        } catch (BadHeaderException e) {
            throw new IOException("not Avro single-object encoding (a value starts with C3 01 and the writer schema's "
                    + "fingerprint): " + e.getMessage(), e);
        } catch (MissingSchemaException e) {
            throw new IOException("written with a schema this job does not know (fingerprint "
                    + fingerprintIn(bytes) + "); it reads " + type.getSimpleName() + " with fingerprint "
                    + fingerprint(SpecificData.get().getSchema(type)) + ": another schema or another version of it", e);
        }
    }

    public static <T extends SpecificRecord> byte[] encode(T record) {
        try {
            ByteBuffer b = ENCODERS.get(record.getClass()).encode(record);
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String fingerprint(Schema schema) {
        return HexFormat.of().formatHex(longLittleEndian(SchemaNormalization.parsingFingerprint64(schema)));
    }

    private static String fingerprintIn(byte[] bytes) {
        return bytes.length < 10 ? "?" : HexFormat.of().formatHex(bytes, 2, 10);
    }

    private static byte[] longLittleEndian(long v) {
        byte[] out = new byte[8];
        for (int i = 0; i < 8; i++) {
            out[i] = (byte) (v >>> (8 * i));
        }
        return out;
    }
}
