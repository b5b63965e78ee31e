package io.jigsaw.job.memory;

import io.jigsaw.operators.SourceRecord;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.core.io.SimpleVersionedSerializer;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A source of fixed records, as a topic that was written before the job started: one reader (subtask 0) emits
 * them in order, then waits for ever, as a Kafka source does at the end of its topic (a source that finished
 * would end the job). Its position is checkpointed, so a job restored from a savepoint goes on after the last
 * record it had read, as from a Kafka offset.
 */
public final class ListSource implements Source<SourceRecord, ListSource.Split, Boolean> {

    private static final long serialVersionUID = 1L;

    private final String topic;
    private final ArrayList<byte[]> records;

    public ListSource(String topic, List<byte[]> records) {
        this.topic = topic;
        this.records = new ArrayList<>(records);
    }

    /** The only split: the records from {@code position} on. */
    public record Split(int position) implements SourceSplit {
        @Override
        public String splitId() {
            return "records";
        }
    }

    @Override
    public Boundedness getBoundedness() {
        return Boundedness.CONTINUOUS_UNBOUNDED;
    }

    @Override
    public SourceReader<SourceRecord, Split> createReader(SourceReaderContext context) {
        return new Reader();
    }

    @Override
    public SplitEnumerator<Split, Boolean> createEnumerator(SplitEnumeratorContext<Split> context) {
        return new Enumerator(context, false);
    }

    @Override
    public SplitEnumerator<Split, Boolean> restoreEnumerator(SplitEnumeratorContext<Split> context, Boolean assigned) {
        return new Enumerator(context, assigned);
    }

    @Override
    public SimpleVersionedSerializer<Split> getSplitSerializer() {
        return new IntSerializer<>(Split::position, Split::new);
    }

    @Override
    public SimpleVersionedSerializer<Boolean> getEnumeratorCheckpointSerializer() {
        return new IntSerializer<>(b -> b ? 1 : 0, i -> i == 1);
    }

    private final class Reader implements SourceReader<SourceRecord, Split> {
        private int position = -1;
        private CompletableFuture<Void> assigned = new CompletableFuture<>();

        @Override
        public void start() {
        }

        @Override
        public InputStatus pollNext(ReaderOutput<SourceRecord> output) {
            if (position < 0 || position >= records.size()) {
                return InputStatus.NOTHING_AVAILABLE;
            }
            output.collect(new SourceRecord(topic, 0, position, records.get(position)));
            position++;
            return position < records.size() ? InputStatus.MORE_AVAILABLE : InputStatus.NOTHING_AVAILABLE;
        }

        @Override
        public List<Split> snapshotState(long checkpointId) {
            return position < 0 ? List.of() : List.of(new Split(position));
        }

        @Override
        public CompletableFuture<Void> isAvailable() {
            // Never completes once every record is out: the task then idles instead of polling in a loop.
            return position >= 0 && position < records.size() ? CompletableFuture.completedFuture(null) : assigned;
        }

        @Override
        public void addSplits(List<Split> splits) {
            position = splits.get(0).position();
            assigned.complete(null);
            assigned = new CompletableFuture<>();
        }

        @Override
        public void notifyNoMoreSplits() {
        }

        @Override
        public void close() {
        }
    }

    private static final class Enumerator implements SplitEnumerator<Split, Boolean> {
        private final SplitEnumeratorContext<Split> context;
        private boolean assigned;

        Enumerator(SplitEnumeratorContext<Split> context, boolean assigned) {
            this.context = context;
            this.assigned = assigned;
        }

        @Override
        public void start() {
        }

        @Override
        public void handleSplitRequest(int subtask, String host) {
        }

        @Override
        public void addSplitsBack(List<Split> splits, int subtask) {
            // A failed reader's split: its checkpointed position goes to the next reader 0.
            context.assignSplit(splits.get(0), 0);
        }

        @Override
        public void addReader(int subtask) {
            if (!assigned && subtask == 0) {
                context.assignSplit(new Split(0), 0);
                assigned = true;
            }
        }

        @Override
        public Boolean snapshotState(long checkpointId) {
            return assigned;
        }

        @Override
        public void close() {
        }
    }

    /** Writes a value as one int. */
    private record IntSerializer<T>(java.util.function.ToIntFunction<T> out, java.util.function.IntFunction<T> in)
            implements SimpleVersionedSerializer<T> {
        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(T value) {
            return ByteBuffer.allocate(4).putInt(out.applyAsInt(value)).array();
        }

        @Override
        public T deserialize(int version, byte[] bytes) {
            return in.apply(ByteBuffer.wrap(bytes).getInt());
        }
    }
}
