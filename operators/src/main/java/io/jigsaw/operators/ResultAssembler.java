package io.jigsaw.operators;

import io.jigsaw.core.graph.Credit;
import io.jigsaw.core.graph.Graph;
import io.jigsaw.schemas.Result;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Emits exactly one {@link Result} per request: when the leaves' pieces add up to the whole request,
 * or at once when a piece arrives dropped, or, if pieces went missing, as dropped ("incomplete") once
 * the deadline is well past, so no request disappears without a result. Keyed by request id; the
 * state is kept until the cleanup time so late pieces of a finished request are not counted twice.
 */
public class ResultAssembler extends KeyedProcessFunction<String, Piece, Result> {

    private static final ValueStateDescriptor<Piece> PARTIAL = new ValueStateDescriptor<>("partial", TypeInformation.of(Piece.class));
    private static final ValueStateDescriptor<Boolean> DONE = new ValueStateDescriptor<>("done", Types.BOOLEAN);

    private final Graph graph;
    private final long cleanupAfterDeadlineMs;

    private transient GraphMetrics metrics;

    /** @param graph for the labels of its output tensors */
    public ResultAssembler(Graph graph, long cleanupAfterDeadlineMs) {
        this.graph = graph;
        this.cleanupAfterDeadlineMs = cleanupAfterDeadlineMs;
    }

    @Override
    public void open(OpenContext openContext) {
        metrics = new GraphMetrics(getRuntimeContext().getMetricGroup().addGroup("jigsaw"));
    }

    private void emit(Result r, Collector<Result> out) {
        metrics.result(r);
        out.collect(r);
    }

    @Override
    public void processElement(Piece piece, Context ctx, Collector<Result> out) throws Exception {
        ValueState<Boolean> done = getRuntimeContext().getState(DONE);
        if (done.value() != null) {
            return;
        }
        piece.arrives(Micros.now());
        ValueState<Piece> partial = getRuntimeContext().getState(PARTIAL);
        Piece merged = partial.value();
        if (merged == null) {
            merged = piece;
            ctx.timerService().registerProcessingTimeTimer(Math.max(piece.deadlineMs, ctx.timerService().currentProcessingTime())
                    + cleanupAfterDeadlineMs);
        } else {
            merged.absorb(piece);
        }
        if (merged.dropped || merged.credit().compareTo(Credit.ONE) >= 0) {
            emit(result(graph, merged, ctx.timerService().currentProcessingTime()), out);
            done.update(true);
            partial.clear();
        } else {
            partial.update(merged);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Result> out) throws Exception {
        Piece merged = getRuntimeContext().getState(PARTIAL).value();
        if (merged != null && getRuntimeContext().getState(DONE).value() == null) {
            merged.dropped = true;
            merged.dropReason = "incomplete: only " + merged.credit() + " of the request's pieces arrived by "
                    + cleanupAfterDeadlineMs + " ms after the deadline";
            emit(result(graph, merged, timestamp), out);
        }
        getRuntimeContext().getState(PARTIAL).clear();
        getRuntimeContext().getState(DONE).clear();
    }

    static Result result(Graph graph, Piece p, long now) {
        Answers answers = Answers.of(graph, p.reports);
        return Result.newBuilder()
                .setRequestId(p.requestId)
                .setGraph(p.graph)
                .setEventTimeMs(p.eventTimeMs)
                .setCompletedMs(now)
                .setLatencyMs(now - p.eventTimeMs)
                .setSloMet(!p.dropped && now <= p.deadlineMs)
                .setVariants(p.variantMap())
                .setAccuracy(p.dropped ? 0 : p.accuracy)
                .setTaskRuns(p.taskRuns)
                .setDropped(p.dropped)
                .setDropReason(p.dropReason)
                .setPlanVersion(p.planVersion)
                .setTransferMs(p.transferMicros / 1e3)
                .setQueueMs(p.queueMicros / 1e3)
                .setModelMs(p.modelMicros / 1e3)
                .setHops(p.hops)
                .setObjects(answers.objects())
                .setOutputs(answers.frame())
                .build();
    }
}
