package io.jigsaw.job.kafka;

import io.jigsaw.operators.SourceRecord;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the job's Kafka sources emit: each record's value with its topic, partition and offset, for
 * the decoders to judge ({@link SourceRecord}). Nothing is decoded here, since a source that throws
 * fails the job and reads the same record again after the restart. A tombstone (a null value: a
 * client deleting a key, or compacting its own topic) is no request: it is skipped, counted
 * ({@code tombstonesSkipped}) and logged.
 */
public final class SourceRecords implements KafkaRecordDeserializationSchema<SourceRecord> {

    private static final Logger LOG = LoggerFactory.getLogger(SourceRecords.class);

    private transient Counter tombstones;

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        tombstones = context.getMetricGroup().addGroup("jigsaw").counter("tombstonesSkipped");
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<SourceRecord> out) {
        if (record.value() == null) {
            if (tombstones != null) {
                tombstones.inc();
            }
            LOG.warn("skipped a tombstone (null value) at {} partition {} offset {}", record.topic(), record.partition(), record.offset());
            return;
        }
        SourceRecord r = new SourceRecord(record.topic(), record.partition(), record.offset(), record.value());
        org.apache.kafka.common.header.Header producer = record.headers().lastHeader(SourceRecord.PRODUCER_HEADER);
        if (producer != null && producer.value() != null) {
            r.from(new String(producer.value(), java.nio.charset.StandardCharsets.UTF_8));
        }
        // Only a topic with message.timestamp.type=LogAppendTime gives the broker's clock; CreateTime is the producer's.
        out.collect(record.timestampType() == org.apache.kafka.common.record.TimestampType.LOG_APPEND_TIME
                ? r.appendedAt(record.timestamp()) : r);
    }

    @Override
    public TypeInformation<SourceRecord> getProducedType() {
        return TypeInformation.of(SourceRecord.class);
    }
}
