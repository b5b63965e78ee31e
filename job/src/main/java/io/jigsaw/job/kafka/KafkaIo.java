package io.jigsaw.job.kafka;

import io.jigsaw.job.JigsawOptions;
import io.jigsaw.job.topology.JobIo;
import io.jigsaw.operators.AvroValueSchema;
import io.jigsaw.operators.SourceRecord;
import io.jigsaw.schemas.DeadLetter;
import io.jigsaw.schemas.Result;
import io.jigsaw.schemas.Telemetry;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;

import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/** The job's sources and sinks on Kafka: the topics of {@link Topics}, with the delivery {@link JigsawOptions#DELIVERY} asks for. */
public final class KafkaIo implements JobIo {

    /** Long enough to outlive a restart and a checkpoint, below the broker's default maximum of 15 minutes. */
    private static final long TRANSACTION_TIMEOUT_MS = 10 * 60 * 1000;

    private final KafkaConnection kafka;
    private final Topics topics;
    private final String group;
    private final JigsawOptions.Delivery delivery;
    private final OffsetsInitializer requestsStart;

    private KafkaIo(Configuration conf) {
        this.kafka = KafkaConnection.from(conf);
        this.topics = Topics.from(conf);
        this.group = conf.get(JigsawOptions.GROUP_ID);
        this.delivery = conf.get(JigsawOptions.DELIVERY);
        this.requestsStart = conf.get(JigsawOptions.START_FROM) == JigsawOptions.StartFrom.LATEST
                ? OffsetsInitializer.latest() : OffsetsInitializer.earliest();
    }

    public static KafkaIo from(Configuration conf) {
        return new KafkaIo(conf);
    }

    @Override
    public Source<SourceRecord, ?, ?> requests() {
        return source(topics.requests(), group, requestsStart);
    }

    @Override
    public Source<SourceRecord, ?, ?> plans() {
        return source(topics.plans(), group + "-plans", OffsetsInitializer.earliest());
    }

    @Override
    public Sink<Result> results() {
        return sink(topics.results(), Result.class, ResultKeys::of, delivery, group + "-results");
    }

    @Override
    public java.util.Optional<Sink<Result>> resultsJson() {
        if (!topics.mirrorsResultsAsJson()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(sink(topics.resultsJson(), ResultKeys::of, new ResultJsonSchema(), delivery, group + "-results-json"));
    }

    /** Telemetry is a rate signal for the planner: a repeated or lost window after a restore does no harm, and it
     * must not wait for a checkpoint, so it is never transactional. */
    @Override
    public Sink<Telemetry> telemetry() {
        return sink(topics.telemetry(), Telemetry.class, t -> t.getTask() + "/" + t.getReplica(),
                JigsawOptions.Delivery.AT_LEAST_ONCE, group + "-telemetry");
    }

    @Override
    public Sink<DeadLetter> deadLetters() {
        return sink(topics.deadLetters(), DeadLetter.class, DeadLetter::getRequestId, delivery, group + "-dead-letters");
    }

    private KafkaSource<SourceRecord> source(String topic, String groupId, OffsetsInitializer start) {
        return KafkaSource.<SourceRecord>builder()
                .setProperties(kafka.properties())
                .setBootstrapServers(kafka.bootstrap())
                .setTopics(topic)
                .setGroupId(groupId)
                .setStartingOffsets(start)
                // Raw bytes and where they were read: a record that does not decode must reach dead-letters, not fail the source.
                .setDeserializer(new SourceRecords())
                .setProperty("partition.discovery.interval.ms", "10000")
                .build();
    }

    private <T extends SpecificRecord> KafkaSink<T> sink(String topic, Class<T> type, SerializableKey<T> keyFn,
            JigsawOptions.Delivery guarantee, String transactionalIdPrefix) {
        return sink(topic, keyFn, new AvroValueSchema<>(type), guarantee, transactionalIdPrefix);
    }

    private <T> KafkaSink<T> sink(String topic, SerializableKey<T> keyFn, org.apache.flink.api.common.serialization.SerializationSchema<T> value,
            JigsawOptions.Delivery guarantee, String transactionalIdPrefix) {
        return KafkaSink.<T>builder()
                .setKafkaProducerConfig(kafka.properties())
                .setBootstrapServers(kafka.bootstrap())
                .setRecordSerializer(KafkaRecordSerializationSchema.<T>builder()
                        .setTopic(topic)
                        .setKeySerializationSchema(v -> keyFn.apply(v).getBytes(StandardCharsets.UTF_8))
                        .setValueSerializationSchema(value)
                        .build())
                .setDeliveryGuarantee(guarantee.transactional() ? DeliveryGuarantee.EXACTLY_ONCE : DeliveryGuarantee.AT_LEAST_ONCE)
                .setTransactionalIdPrefix(transactionalIdPrefix)
                // Flink's default (1 h) is above the brokers' default ceiling (transaction.max.timeout.ms, 15 min).
                .setProperty("transaction.timeout.ms", String.valueOf(TRANSACTION_TIMEOUT_MS))
                // Results are latency-critical: Kafka 4's producer default (5 ms) would add it to every result.
                .setProperty("linger.ms", "0")
                .build();
    }

    /** Record key of a sink (the request id for results): shipped with the sink, so serialisable. */
    private interface SerializableKey<T> extends Function<T, String>, java.io.Serializable {
    }
}
