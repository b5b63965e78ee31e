package io.jigsaw.operators;

import io.jigsaw.schemas.Request;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Records written field by field, so a test can make one lie where a producer could: a count or
 * length that says more than the bytes that follow (a length bomb), a record cut short. Request
 * fields in the order of Request.avsc: request_id, graph, event_time_ms, deadline_ms, payload (data,
 * shape, dtype), truth (union: 0 = null); Plan's: graph, version, created_by, note, tasks.
 */
public final class RawRecords {

    interface Fields {
        void write(BinaryEncoder e) throws IOException;
    }

    private RawRecords() {
    }

    /** The single-object encoding of a Request whose fields {@code body} writes (none of the checks of a real encoder). */
    static byte[] request(Fields body) {
        return record(Request.getClassSchema(), body);
    }

    static byte[] record(org.apache.avro.Schema schema, Fields body) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(new byte[] {(byte) 0xC3, 0x01});
            long fp = SchemaNormalization.parsingFingerprint64(schema);
            for (int i = 0; i < 8; i++) {
                out.write((int) (fp >>> (8 * i)) & 0xFF);
            }
            BinaryEncoder e = EncoderFactory.get().directBinaryEncoder(out, null);
            body.write(e);
            e.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The head every request shares: its ids and times, then the payload union's tensor branch (its fields follow). */
    static void head(BinaryEncoder e, String id, long now) throws IOException {
        e.writeString(id);
        e.writeString("xr-scene");
        e.writeLong(now);
        e.writeLong(now + 60_000);
        e.writeIndex(1);
    }

    /** A valid head, then a shape array declaring two billion ints and carrying 16 000 (48 KB): once an OutOfMemoryError. */
    public static byte[] shapeCountBomb(long now) {
        return request(e -> {
            head(e, "bomb-shape", now);
            e.writeBytes(new byte[16]);
            e.writeArrayStart();
            e.setItemCount(2_000_000_000L);
            for (int i = 0; i < 16_000; i++) {
                e.startItem();
                e.writeInt(1_000_000);
            }
        });
    }

    /** A payload whose bytes declare 2 GB and carry 100. */
    static byte[] dataLengthBomb(long now) {
        return request(e -> {
            head(e, "bomb-data", now);
            e.writeLong(2_000_000_000L);
            e.writeFixed(new byte[100]);
        });
    }

    /** A request id declaring 2 billion characters. */
    static byte[] stringLengthBomb() {
        return request(e -> {
            e.writeLong(2_000_000_000L);
            e.writeFixed(new byte[100]);
        });
    }

    /** A negative length where a string's length goes. */
    static byte[] negativeLength() {
        return request(e -> {
            e.writeLong(-5);
            e.writeFixed(new byte[100]);
        });
    }

    /** A Plan whose task list declares two billion tasks and carries none. */
    public static byte[] planCountBomb() {
        return record(io.jigsaw.schemas.Plan.getClassSchema(), e -> {
            e.writeString("xr-scene");
            e.writeLong(99);
            e.writeString("bomb");
            e.writeString("");
            e.writeArrayStart();
            e.setItemCount(2_000_000_000L);
        });
    }
}
