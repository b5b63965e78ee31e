package io.jigsaw.job.kafka;

import io.jigsaw.operators.AvroBytes;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Reads one topic from its beginning or its end, decoding Avro values; for the demo's watcher, the
 * planner sidecar and the tests. No consumer group: it reads every partition itself and commits nothing.
 */
public final class TopicReader<T extends SpecificRecord> implements AutoCloseable {

    private final KafkaConsumer<String, byte[]> consumer;
    private final Class<T> type;
    private final List<TopicPartition> partitions;

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
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        return partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p));
    }

    /** Whatever arrived within {@code wait}, decoded; records that do not decode are a bug, so they throw. */
    public List<T> poll(Duration wait) {
        List<T> out = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : consumer.poll(wait)) {
            try {
                out.add(AvroBytes.decode(r.value(), type));
            } catch (java.io.IOException e) {
                throw new IllegalStateException("undecodable " + type.getSimpleName() + " at offset " + r.offset(), e);
            }
        }
        return out;
    }

    @Override
    public void close() {
        consumer.close();
    }
}
