package io.jigsaw.job.memory;

import io.jigsaw.job.topology.JobIo;
import io.jigsaw.operators.SourceRecord;
import io.jigsaw.schemas.DeadLetter;
import io.jigsaw.schemas.Result;
import io.jigsaw.schemas.Telemetry;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.core.execution.JobClient;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** The job's sources and sinks in memory: fixed request and plan records in, what it writes kept for the test. */
public final class MemoryIo implements JobIo {

    private final ListSource requests;
    private final ListSource plans;
    public final CollectSink<Result> results;
    public final CollectSink<Telemetry> telemetry;
    public final CollectSink<DeadLetter> deadLetters;

    /** @param requests the request records, @param plans the plan records: Avro single-object encoded, as producers write them */
    public MemoryIo(List<byte[]> requests, List<byte[]> plans) {
        String run = UUID.randomUUID().toString();
        this.requests = new ListSource("requests", requests);
        this.plans = new ListSource("plans", plans);
        this.results = new CollectSink<>(run + "/results");
        this.telemetry = new CollectSink<>(run + "/telemetry");
        this.deadLetters = new CollectSink<>(run + "/dead-letters");
    }

    /**
     * Waits until {@code done} holds, then one more second (anything that arrives then would be a duplicate). A job
     * that ends meanwhile fails the wait with the job's own error; one still short of {@code done} after
     * {@code limit} is left to the caller's assertions, which say what is missing.
     */
    public static void await(JobClient job, BooleanSupplier done, Duration limit) throws Exception {
        long until = System.currentTimeMillis() + limit.toMillis();
        while (!done.getAsBoolean() && System.currentTimeMillis() < until) {
            if (job.getJobStatus().get(10, TimeUnit.SECONDS).isGloballyTerminalState()) {
                job.getJobExecutionResult().get(10, TimeUnit.SECONDS);
                throw new AssertionError("the job ended before it had answered");
            }
            Thread.sleep(200);
        }
        Thread.sleep(1_000);
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
