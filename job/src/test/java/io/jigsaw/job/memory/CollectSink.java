package io.jigsaw.job.memory;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A sink that keeps what it is given in this JVM, under a name, for a test on a MiniCluster to read (the sink
 * itself is serialised into the job, so the records go to a static registry, not to a field of it).
 */
public final class CollectSink<T> implements Sink<T> {

    private static final long serialVersionUID = 1L;
    private static final Map<String, Queue<Object>> COLLECTED = new ConcurrentHashMap<>();

    private final String name;

    public CollectSink(String name) {
        this.name = name;
        COLLECTED.computeIfAbsent(name, n -> new ConcurrentLinkedQueue<>());
    }

    /** What this sink has been given so far. */
    @SuppressWarnings("unchecked")
    public List<T> collected() {
        return (List<T>) List.copyOf(COLLECTED.get(name));
    }

    /** Forgets this name's records, so a name can be used again. */
    public void clear() {
        COLLECTED.get(name).clear();
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
        Queue<Object> into = COLLECTED.computeIfAbsent(name, n -> new ConcurrentLinkedQueue<>());
        return new SinkWriter<>() {
            @Override
            public void write(T element, Context ctx) {
                into.add(element);
            }

            @Override
            public void flush(boolean endOfInput) {
            }

            @Override
            public void close() {
            }
        };
    }
}
