package io.jigsaw.operators;

import io.jigsaw.core.graph.Credit;
import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.plan.Plan;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Waits, per request, for every piece that its parents send to a task with several parents (e.g.
 * {@code fuse} after {@code classify} and {@code depth}), and passes on one merged piece. Complete
 * when the credits add up to the share of the request that reaches the task, which the graph alone
 * fixes ({@link Graph#creditInto}). Keyed by request id: the partial join is per request and
 * checkpointed with it. A join whose request was dropped upstream is cleared after the deadline.
 */
public class JoinBranches extends KeyedBroadcastProcessFunction<String, Piece, Plan, Piece> {

    private static final ValueStateDescriptor<Piece> PARTIAL = new ValueStateDescriptor<>("partial", TypeInformation.of(Piece.class));

    private final Graph graph;
    private final String task;
    private final LaneKeys taskLanes;
    private final long cleanupAfterDeadlineMs;
    private Credit expected;

    public JoinBranches(Graph graph, String task, LaneKeys taskLanes, long cleanupAfterDeadlineMs) {
        this.graph = graph;
        this.task = task;
        this.taskLanes = taskLanes;
        this.cleanupAfterDeadlineMs = cleanupAfterDeadlineMs;
    }

    @Override
    public void processElement(Piece piece, ReadOnlyContext ctx, Collector<Piece> out) throws Exception {
        if (expected == null) {
            expected = graph.creditInto(task);
        }
        piece.arrives(Micros.now());
        ValueState<Piece> partial = getRuntimeContext().getState(PARTIAL);
        Piece merged = partial.value();
        if (merged == null) {
            merged = piece;
            merged.lineage = "r/" + task;
            ctx.timerService().registerProcessingTimeTimer(Math.max(piece.deadlineMs, ctx.currentProcessingTime())
                    + cleanupAfterDeadlineMs);
        } else {
            merged.absorb(piece);
        }
        int cmp = merged.credit().compareTo(expected);
        if (cmp < 0) {
            partial.update(merged);
            return;
        }
        partial.clear();
        if (cmp > 0) {
            throw new IllegalStateException("join at " + task + " for request " + piece.requestId + " received "
                    + merged.credit() + " of the request, more than the " + expected + " that reaches it: a piece was duplicated");
        }
        Plan plan = PlanBroadcast.current(ctx.getBroadcastState(PlanBroadcast.PLANS), graph.name());
        merged.laneKey = taskLanes.keyForPiece(merged, PlanBroadcast.replicas(plan, task));
        merged.departs(Micros.now());
        out.collect(merged);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Piece> out) {
        getRuntimeContext().getState(PARTIAL).clear();
    }

    @Override
    public void processBroadcastElement(Plan plan, Context ctx, Collector<Piece> out) throws Exception {
        PlanBroadcast.accept(ctx.getBroadcastState(PlanBroadcast.PLANS), graph.name(), plan);
    }
}
