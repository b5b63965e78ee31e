package io.jigsaw.operators;

import io.jigsaw.core.graph.Credit;
import io.jigsaw.core.graph.Dataflow;
import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.plan.Plan;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Waits, per request, for every piece that its parents send to a task with several parents (e.g.
 * {@code fuse} after {@code classify} and {@code depth}), and passes on one merged piece. Complete
 * when the credits add up to the share of the request that reaches the task, which the graph alone
 * fixes ({@link Graph#creditInto}). Keyed by request id: the partial join is per request and
 * checkpointed with it. A join whose request was dropped upstream is cleared after the deadline.
 *
 * <p>With a {@code join:} input the merged piece carries the join's input vector: per branch, in the
 * graph's order, each piece's tensor in object order, zero-padded to the most pieces the branch can
 * send ({@link Dataflow.JoinBranch}).
 */
public class JoinBranches extends KeyedBroadcastProcessFunction<String, Piece, Plan, Piece> {

    private static final ValueStateDescriptor<Piece> PARTIAL = new ValueStateDescriptor<>("partial", TypeInformation.of(Piece.class));

    private final Graph graph;
    private final String task;
    private final LaneKeys taskLanes;
    private final long cleanupAfterDeadlineMs;
    private final List<Dataflow.JoinBranch> layout;
    private Credit expected;
    private transient CleanupTimer cleanup;

    /** @param layout the join's input vector, branch by branch; empty when the task takes the frame instead */
    public JoinBranches(Graph graph, String task, LaneKeys taskLanes, long cleanupAfterDeadlineMs, List<Dataflow.JoinBranch> layout) {
        this.graph = graph;
        this.task = task;
        this.taskLanes = taskLanes;
        this.cleanupAfterDeadlineMs = cleanupAfterDeadlineMs;
        this.layout = List.copyOf(layout);
    }

    @Override
    public void open(OpenContext openContext) {
        cleanup = new CleanupTimer(cleanupAfterDeadlineMs, getRuntimeContext().getMetricGroup().addGroup("jigsaw"));
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
            cleanup.register(ctx.timerService(), getRuntimeContext().getState(CleanupTimer.AT), piece.deadlineMs);
        } else {
            merged.absorb(piece);
        }
        int cmp = merged.credit().compareTo(expected);
        if (cmp < 0) {
            partial.update(merged);
            return;
        }
        partial.clear();
        // Done: its cleanup timer has nothing left to clean (a piece that came again would start a new partial, with
        // its own timer, that never completes and is cleaned then).
        cleanup.delete(ctx.timerService(), getRuntimeContext().getState(CleanupTimer.AT));
        if (cmp > 0) {
            throw new IllegalStateException("join at " + task + " for request " + piece.requestId + " received "
                    + merged.credit() + " of the request, more than the " + expected + " that reaches it: a piece was duplicated");
        }
        if (!layout.isEmpty()) {
            float[] input = assemble(merged.joinParts, layout);
            merged.payload = Tensors.bytes(input);
            merged.shape = new int[] {input.length};
            merged.joinParts = null;
            // The vector exists even when every branch found nothing (all zeros): the join's model runs once per
            // request, as the planner counts it.
            merged.skip = false;
        }
        // A join stands for the whole request again: its pieces' objects are inside its input.
        merged.objectId = "";
        merged.box = null;
        Plan plan = PlanBroadcast.current(ctx.getBroadcastState(PlanBroadcast.PLANS), graph.name());
        merged.laneKey = taskLanes.keyForPiece(merged, PlanBroadcast.weights(plan, task));
        merged.departs(Micros.now());
        out.collect(merged);
    }

    /** Branch by branch, the parts in object order, each branch zero-padded to its most pieces. */
    static float[] assemble(JoinPart[] parts, List<Dataflow.JoinBranch> layout) {
        int total = layout.stream().mapToInt(b -> b.maxPieces() * b.elements()).sum();
        float[] out = new float[total];
        int at = 0;
        for (Dataflow.JoinBranch b : layout) {
            List<JoinPart> mine = parts == null ? List.of() : Arrays.stream(parts).filter(p -> p.from.equals(b.from()))
                    .sorted(Comparator.comparing((JoinPart p) -> p.objectId, ObjectIds.ORDER)).limit(b.maxPieces()).toList();
            for (int i = 0; i < mine.size(); i++) {
                float[] v = mine.get(i).values;
                System.arraycopy(v, 0, out, at + i * b.elements(), Math.min(v.length, b.elements()));
            }
            at += b.maxPieces() * b.elements();
        }
        return out;
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Piece> out) {
        getRuntimeContext().getState(PARTIAL).clear();
        cleanup.fired(getRuntimeContext().getState(CleanupTimer.AT));
    }

    @Override
    public void processBroadcastElement(Plan plan, Context ctx, Collector<Piece> out) throws Exception {
        PlanBroadcast.accept(ctx.getBroadcastState(PlanBroadcast.PLANS), graph.name(), plan);
    }
}
