package io.jigsaw.operators;

import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Plain Avro binary for topic values (no registry framing): what producers write and the job reads.
 * Decoding checks that the record used every byte, so a record of another schema that happens to
 * parse is still rejected.
 */
public final class AvroBytes {

    private AvroBytes() {
    }

    public static <T extends SpecificRecord> T decode(byte[] bytes, Class<T> type) throws IOException {
        SpecificDatumReader<T> reader = new SpecificDatumReader<>(type);
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, null);
        T value = reader.read(null, decoder);
        if (!decoder.isEnd()) {
            throw new IOException("trailing bytes after a " + type.getSimpleName() + " record: wrong schema?");
        }
        return value;
    }

    @SuppressWarnings("unchecked")
    public static <T extends SpecificRecord> byte[] encode(T record) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
            new SpecificDatumWriter<>((Class<T>) record.getClass()).write(record, encoder);
            encoder.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
