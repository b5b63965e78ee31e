package io.jigsaw.job.kafka;

import io.jigsaw.schemas.AvroBytes;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.util.Properties;
import java.util.concurrent.Future;

/** Publishes Avro records (plain binary, as the job reads them) or raw bytes to topics. */
public final class AvroProducer implements AutoCloseable {

    private final KafkaProducer<String, byte[]> producer;
    /** Named in each record's {@code jigsaw-producer} header (per-producer clock skew in the job); null: no header. */
    private String name;

    public AvroProducer(String bootstrap) {
        this(KafkaConnection.plain(bootstrap));
    }

    public AvroProducer(KafkaConnection kafka) {
        Properties p = kafka.properties();
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        producer = new KafkaProducer<>(p);
    }

    public Future<?> send(String topic, String key, SpecificRecord value) {
        return sendBytes(topic, key, AvroBytes.encode(value));
    }

    public Future<?> sendBytes(String topic, String key, byte[] value) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, key, value);
        if (name != null) {
            record.headers().add(io.jigsaw.operators.SourceRecord.PRODUCER_HEADER, name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return producer.send(record);
    }

    /** Names this producer in every record it sends, so the job measures its clock's skew apart from others'. */
    public AvroProducer named(String producerName) {
        this.name = producerName;
        return this;
    }

    /** Connects and learns the topic's partitions now, so the first send does not pay for it. */
    public void connect(String topic) {
        producer.partitionsFor(topic);
    }

    public void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        producer.close();
    }
}
