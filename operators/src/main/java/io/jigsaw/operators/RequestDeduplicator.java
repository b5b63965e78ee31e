package io.jigsaw.operators;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Lets the first request with a given id through and sends any later one with the same id to
 * dead-letters: two requests sharing an id would share one result and mix their pieces in the
 * joins. Keyed by request id; an id is remembered until its deadline plus the cleanup time, as long
 * as any part of the first request can still be in the job.
 */
public class RequestDeduplicator extends KeyedProcessFunction<String, Piece, Piece> {

    static final String STAGE = "deduplicate-request";

    private static final ValueStateDescriptor<Long> FIRST_SEEN = new ValueStateDescriptor<>("first-seen-ms", Types.LONG);

    private final String topic;
    private final long cleanupAfterDeadlineMs;
    private transient CleanupTimer cleanup;

    public RequestDeduplicator(String topic, long cleanupAfterDeadlineMs) {
        this.topic = topic;
        this.cleanupAfterDeadlineMs = cleanupAfterDeadlineMs;
    }

    @Override
    public void open(OpenContext openContext) {
        cleanup = new CleanupTimer(cleanupAfterDeadlineMs, getRuntimeContext().getMetricGroup().addGroup("jigsaw"));
    }

    @Override
    public void processElement(Piece piece, Context ctx, Collector<Piece> out) throws Exception {
        piece.arrives(Micros.now());
        long now = ctx.timerService().currentProcessingTime();
        ValueState<Long> firstSeen = getRuntimeContext().getState(FIRST_SEEN);
        if (firstSeen.value() != null) {
            ctx.output(Tags.DEAD_LETTERS, DeadLetters.of(topic, STAGE, "duplicate request_id '" + piece.requestId
                    + "': a request with this id arrived " + (now - firstSeen.value()) + " ms earlier and is served; "
                    + "this one is not (original: its tensor payload)", piece.requestId, now, piece.payload));
            return;
        }
        firstSeen.update(now);
        cleanup.register(ctx.timerService(), null, piece.deadlineMs);
        piece.departs(Micros.now());
        out.collect(piece);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Piece> out) {
        getRuntimeContext().getState(FIRST_SEEN).clear();
        cleanup.fired(null);
    }
}
