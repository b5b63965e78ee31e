package io.jigsaw.operators;

/**
 * One record as the job's Kafka sources read it: its value's bytes and where it was read, so a
 * record that cannot be used is dead-lettered with a reference to it (topic, partition, offset)
 * even when its bytes are too large to be copied into the dead letter. A POJO: sources hand it to
 * their decoder in the same chain, without serialising it.
 */
public class SourceRecord {

    public String topic;
    public int partition;
    public long offset;
    /** The value; never null (the sources skip and count tombstones). */
    public byte[] value;
    /** The broker's log-append time of the record (epoch ms), or -1 when its topic keeps the producer's create time or it did not come from Kafka. */
    public long logAppendTimeMs = -1;
    /** Who produced it, from its {@value #PRODUCER_HEADER} header; null when it carries none. */
    public String producer;

    /** The record header naming its producer, for per-producer clock skew. */
    public static final String PRODUCER_HEADER = "jigsaw-producer";

    public SourceRecord() {
    }

    public SourceRecord(String topic, int partition, long offset, byte[] value) {
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.value = value;
    }

    /** The same record, naming its producer. */
    public SourceRecord from(String producer) {
        this.producer = producer;
        return this;
    }

    /** The same record with the broker's log-append time. */
    public SourceRecord appendedAt(long logAppendTimeMs) {
        this.logAppendTimeMs = logAppendTimeMs;
        return this;
    }

    /** A record that did not come from Kafka (tests, replays): partition and offset unknown. */
    public static SourceRecord of(String topic, byte[] value) {
        return new SourceRecord(topic, -1, -1, value);
    }

    @Override
    public String toString() {
        return topic + "/" + partition + "@" + offset + " (" + (value == null ? 0 : value.length) + " bytes)";
    }
}
