package io.jigsaw.job.memory;

import io.jigsaw.job.topology.JobIo;
import io.jigsaw.operators.SourceRecord;
import io.jigsaw.schemas.DeadLetter;
import io.jigsaw.schemas.Result;
import io.jigsaw.schemas.Telemetry;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;

import java.util.List;
import java.util.UUID;

/** The job's sources and sinks in memory: fixed request and plan records in, what it writes kept for the test. */
public final class MemoryIo implements JobIo {

    private final ListSource requests;
    private final ListSource plans;
    public final CollectSink<Result> results;
    public final CollectSink<Telemetry> telemetry;
    public final CollectSink<DeadLetter> deadLetters;

    /** @param requests, plans Avro single-object records, as producers write them to the topics */
    public MemoryIo(List<byte[]> requests, List<byte[]> plans) {
        String run = UUID.randomUUID().toString();
        this.requests = new ListSource("requests", requests);
        this.plans = new ListSource("plans", plans);
        this.results = new CollectSink<>(run + "/results");
        this.telemetry = new CollectSink<>(run + "/telemetry");
        this.deadLetters = new CollectSink<>(run + "/dead-letters");
    }

    @Override
    public Source<SourceRecord, ?, ?> requests() {
        return requests;
    }

    @Override
    public Source<SourceRecord, ?, ?> plans() {
        return plans;
    }

    @Override
    public Sink<Result> results() {
        return results;
    }

    @Override
    public Sink<Telemetry> telemetry() {
        return telemetry;
    }

    @Override
    public Sink<DeadLetter> deadLetters() {
        return deadLetters;
    }
}
