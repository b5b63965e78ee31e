package io.jigsaw.schemas;

import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

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

    /** Writer schemas a record of each type may name, by fingerprint: the current one and every published version. */
    private static final ClassValue<Map<Long, Schema>> WRITERS = new ClassValue<>() {
        @Override
        protected Map<Long, Schema> computeValue(Class<?> type) {
            Map<Long, Schema> out = new HashMap<>();
            SchemaVersions.of(type.getSimpleName()).forEach(s -> out.put(SchemaNormalization.parsingFingerprint64(s), s));
            Schema current = SpecificData.get().getSchema(type);
            out.put(SchemaNormalization.parsingFingerprint64(current), current);
            return Map.copyOf(out);
        }
    };

    /**
     * The record in {@code bytes}, checked before anything is allocated for it: every length and count
     * it declares must fit in the bytes that are there ({@link #checkBounds}), so a record cannot make
     * the reader allocate more than a small multiple of its own size.
     *
     * @throws IOException with what is wrong, for anything that is not a whole record of a known version (never
     *     an unchecked exception: callers that skip what they cannot read catch this alone)
     */
    public static <T extends SpecificRecord> T decode(byte[] bytes, Class<T> type) throws IOException {
        checkBounds(bytes, type);
        try {
            return type.cast(DECODERS.get(type).decode(bytes));
        } catch (BadHeaderException e) {
            throw new IOException("not Avro single-object encoding (a value starts with C3 01 and the writer schema's "
                    + "fingerprint): " + e.getMessage(), e);
        } catch (MissingSchemaException e) {
            throw new IOException("written with a schema this job does not know (fingerprint "
                    + fingerprintIn(bytes) + "); it reads " + type.getSimpleName() + " with fingerprint "
                    + fingerprint(SpecificData.get().getSchema(type)) + ": another schema or another version of it", e);
        } catch (RuntimeException e) {
            // Avro says "malformed" with unchecked exceptions (a negative length, a union branch that does not exist).
            throw new IOException("a malformed " + type.getSimpleName() + " (" + e + ")", e);
        }
    }

    /**
     * Walks the record with Avro's skipping reader, which allocates nothing: a string, bytes, array or map
     * whose declared length or count runs past the end of the record ends in an EOF here, where the
     * decoding reader would first allocate what it declares (a 49 KB record declaring an array of two
     * billion ints is an OutOfMemoryError there). Bytes left over after the record are refused too. A
     * header or fingerprint that is not ours is left for the decoder to name.
     */
    static void checkBounds(byte[] bytes, Class<?> type) throws IOException {
        if (bytes.length < HEADER || bytes[0] != (byte) 0xC3 || bytes[1] != (byte) 0x01) {
            return;
        }
        Schema writer = WRITERS.get(type).get(ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong());
        if (writer == null) {
            return;
        }
        BinaryDecoder in = DecoderFactory.get().binaryDecoder(bytes, HEADER, bytes.length - HEADER, null);
        try {
            GenericDatumReader.skip(writer, in);
        } catch (EOFException e) {
            throw new IOException("a " + type.getSimpleName() + " of " + bytes.length + " bytes that ends early, or declares a length "
                    + "or count beyond its own end (a truncated record, or a length bomb)", e);
        } catch (RuntimeException e) {
            throw new IOException("a malformed " + type.getSimpleName() + " (" + e + ")", e);
        }
        if (!in.isEnd()) {
            throw new IOException(in.inputStream().available() + " bytes after the end of the " + type.getSimpleName() + " record");
        }
    }

    /** Marker (2 bytes) and fingerprint (8 bytes) of the single-object encoding. */
    private static final int HEADER = 10;

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
