package io.jigsaw.job.kafka;

import io.jigsaw.operators.DeadLetters;
import io.jigsaw.schemas.AvroBytes;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;

/**
 * Reads one topic from its beginning or its end, decoding Avro values; for the demo's watcher, the
 * planner sidecar, the CLI and the tests. No consumer group: it reads every partition itself and
 * commits nothing. Anyone can write to a topic, so a record that is not one of ours (a tombstone,
 * bytes that do not decode) is skipped and said to the listener given ({@link #onSkip}; by default a
 * warning in the log), never thrown: one such record must not stop a
 * reader that would otherwise read it again on every start.
 */
public final class TopicReader<T extends SpecificRecord> implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TopicReader.class);

    private final KafkaConsumer<String, byte[]> consumer;
    private final Class<T> type;
    private final List<TopicPartition> partitions;
    private Consumer<String> onSkip = line -> LOG.warn("{}", line);

    public TopicReader(String bootstrap, String topic, Class<T> type) {
        this(KafkaConnection.plain(bootstrap), topic, type, false);
    }

    public TopicReader(String bootstrap, String topic, Class<T> type, boolean fromEnd) {
        this(KafkaConnection.plain(bootstrap), topic, type, fromEnd);
    }

    /** @param fromEnd skip what is already there: only records published from now on */
    public TopicReader(KafkaConnection kafka, String topic, Class<T> type, boolean fromEnd) {
        Properties p = kafka.properties();
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumer = new KafkaConsumer<>(p);
        partitions = consumer.partitionsFor(topic).stream()
                .map(info -> new TopicPartition(topic, info.partition())).toList();
        consumer.assign(partitions);
        if (fromEnd) {
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
        } else {
            consumer.seekToBeginning(partitions);
        }
        this.type = type;
    }

    /** Everything up to the topic's end as it is now (e.g. the plans in force), waiting at most {@code limit}. */
    public List<T> readToEnd(Duration limit) {
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        List<T> out = new ArrayList<>();
        long until = System.nanoTime() + limit.toNanos();
        while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
            if (System.nanoTime() > until) {
                throw new IllegalStateException("could not read " + partitions + " to its end within " + limit);
            }
            out.addAll(poll(Duration.ofMillis(100)));
        }
        return out;
    }

    /** Whether everything published so far has been read (what read_committed lets us see). */
    public boolean atEnd() {
        return reached(endOffsets());
    }

    /** Where the topic ends now, to ask later whether the reader {@link #reached} it. */
    public Map<TopicPartition, Long> endOffsets() {
        return consumer.endOffsets(partitions);
    }

    /** Whether everything up to {@code end} (from {@link #endOffsets}) has been read. */
    public boolean reached(Map<TopicPartition, Long> end) {
        return partitions.stream().allMatch(p -> consumer.position(p) >= end.getOrDefault(p, 0L));
    }

    /** Whatever arrived within {@code wait}, decoded; records that are not a {@code T} are skipped and said. */
    public List<T> poll(Duration wait) {
        return pollTimed(wait).stream().map(Timestamped::value).toList();
    }

    /** A decoded record with its Kafka timestamp (the producer's create time, or the broker's log-append time). */
    public record Timestamped<T>(long timestampMs, T value) {
    }

    /** {@link #poll}, each record with its timestamp. */
    public List<Timestamped<T>> pollTimed(Duration wait) {
        List<Timestamped<T>> out = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : consumer.poll(wait)) {
            T value = decode(r);
            if (value != null) {
                out.add(new Timestamped<>(r.timestamp(), value));
            }
        }
        return out;
    }

    /** Moves every partition to its first record with a timestamp at or after {@code epochMs} (to its end where there is none). */
    public void seekToTime(long epochMs) {
        Map<TopicPartition, Long> query = new HashMap<>();
        partitions.forEach(p -> query.put(p, epochMs));
        Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        for (TopicPartition p : partitions) {
            OffsetAndTimestamp at = found.get(p);
            consumer.seek(p, at != null ? at.offset() : end.get(p));
        }
    }

    /** How many records lie between the reader's positions and {@code end} (from {@link #endOffsets}): work left, for progress. */
    public long behind(Map<TopicPartition, Long> end) {
        return partitions.stream().mapToLong(p -> Math.max(0, end.getOrDefault(p, 0L) - consumer.position(p))).sum();
    }

    /** Where a skipped record is said (one line: which record, and why); replaces the log warning. */
    public TopicReader<T> onSkip(Consumer<String> listener) {
        this.onSkip = listener;
        return this;
    }

    private T decode(ConsumerRecord<String, byte[]> r) {
        String why;
        if (r.value() == null) {
            why = "a tombstone (null value)";
        } else {
            try {
                return AvroBytes.decode(r.value(), type);
            } catch (Exception | OutOfMemoryError | StackOverflowError e) {
                why = "not a " + type.getSimpleName() + " record: " + e.getMessage();
            }
        }
        onSkip.accept("skipped " + r.topic() + " partition " + r.partition() + " offset " + r.offset() + ": "
                + DeadLetters.cut(why, 500));
        return null;
    }

    @Override
    public void close() {
        consumer.close();
    }
}
