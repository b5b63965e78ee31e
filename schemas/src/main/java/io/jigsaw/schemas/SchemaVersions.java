package io.jigsaw.schemas;

import org.apache.avro.Schema;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The schema store: every published version of a topic's record schema, oldest first, as shipped in
 * {@code schema-store/<Record>/v<N>.avsc}. With Avro's single-object encoding a record names its
 * writer's schema only by fingerprint, so a reader must know each version to resolve it: readers
 * register all of them, which lets an old reader read new records and a new reader old ones.
 * Publishing a change means adding its file here (a test fails when the generated class and the
 * newest stored version differ).
 */
public final class SchemaVersions {

    private SchemaVersions() {
    }

    public static List<Schema> of(String record) {
        List<Schema> out = new ArrayList<>();
        for (int v = 1; ; v++) {
            try (InputStream in = SchemaVersions.class.getResourceAsStream("/schema-store/" + record + "/v" + v + ".avsc")) {
                if (in == null) {
                    return out;
                }
                out.add(new Schema.Parser().parse(in));
            } catch (IOException e) {
                throw new UncheckedIOException("reading schema-store/" + record + "/v" + v + ".avsc", e);
            }
        }
    }
}
