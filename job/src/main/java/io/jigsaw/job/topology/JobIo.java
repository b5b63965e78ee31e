package io.jigsaw.job.topology;

import io.jigsaw.operators.SourceRecord;
import io.jigsaw.schemas.DeadLetter;
import io.jigsaw.schemas.Result;
import io.jigsaw.schemas.Telemetry;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;

/**
 * Where the job reads and writes: Kafka topics in service ({@code KafkaIo}); in-memory sources and sinks in the
 * topology tests, which then run on a MiniCluster in seconds without a broker. The sources give raw records
 * (the job decodes them, so a bad one becomes a dead letter, whatever the source).
 */
public interface JobIo {

    Source<SourceRecord, ?, ?> requests();

    Source<SourceRecord, ?, ?> plans();

    Sink<Result> results();

    /** The results again as JSON, for tools without Avro; empty when not asked for. */
    default java.util.Optional<Sink<Result>> resultsJson() {
        return java.util.Optional.empty();
    }

    Sink<Telemetry> telemetry();

    Sink<DeadLetter> deadLetters();
}
