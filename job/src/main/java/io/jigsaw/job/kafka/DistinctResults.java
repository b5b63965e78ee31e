package io.jigsaw.job.kafka;

import io.jigsaw.schemas.Result;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The consumer side of idempotent delivery: reads the results topic and passes each result's first copy
 * only, by {@link ResultKeys} (request id and event time: a request id reused after the job's de-duplication
 * window is a new request, whose result passes too). A repeat can only come from a restore re-writing
 * what it wrote since its last checkpoint, so remembering the most recent keys is enough; {@link #DEFAULT_WINDOW} keys are hours of the demo's
 * traffic and some tens of MB. Under exactly-once delivery nothing is ever dropped here.
 */
public final class DistinctResults implements AutoCloseable {

    /** Result keys remembered. */
    public static final int DEFAULT_WINDOW = 1_000_000;

    private final TopicReader<Result> reader;
    private final Map<String, Boolean> recent;
    private long repeats;

    public DistinctResults(TopicReader<Result> reader) {
        this(reader, DEFAULT_WINDOW);
    }

    public DistinctResults(TopicReader<Result> reader, int window) {
        this.reader = reader;
        // Access-ordered false: insertion order, so the oldest id is forgotten first.
        this.recent = new LinkedHashMap<>(1024, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > window;
            }
        };
    }

    /** The results that arrived within {@code wait}, without any already passed. */
    public List<Result> poll(Duration wait) {
        return pass(reader.poll(wait));
    }

    /** Of {@code read}, in order, those whose key has not passed before. */
    List<Result> pass(List<Result> read) {
        List<Result> out = new ArrayList<>();
        for (Result r : read) {
            if (recent.putIfAbsent(ResultKeys.of(r), Boolean.TRUE) == null) {
                out.add(r);
            } else {
                repeats++;
            }
        }
        return out;
    }

    /** Results dropped because their key had been passed already (written again after a restore). */
    public long repeatsDropped() {
        return repeats;
    }

    public boolean atEnd() {
        return reader.atEnd();
    }

    /** The underlying reader (its end offsets, what it skipped). */
    public TopicReader<Result> reader() {
        return reader;
    }

    @Override
    public void close() {
        reader.close();
    }
}
