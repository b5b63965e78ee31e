package io.jigsaw.operators;

import io.jigsaw.core.graph.Credit;
import io.jigsaw.core.graph.Combinations;
import io.jigsaw.core.graph.Graph;
import io.jigsaw.schemas.Result;
import io.jigsaw.schemas.Telemetry;
import io.jigsaw.schemas.VariantScore;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Emits exactly one {@link Result} per request: when the leaves' pieces add up to the whole request,
 * or at once when a piece arrives dropped, or, if pieces went missing, as dropped ("incomplete") once
 * the deadline is well past, so no request disappears without a result. Keyed by request id. A request
 * answered dropped is remembered until its cleanup time, so its pieces still on their way are not
 * counted again; so is every answered request when pieces may be replayed (at-least-once state). Under
 * exactly-once state a request answered whole leaves nothing behind: no piece of it can come again, and
 * every checkpoint would otherwise carry an entry and a timer per request of the last seconds.
 */
public class ResultAssembler extends KeyedProcessFunction<String, Piece, Result> {

    private static final ValueStateDescriptor<Piece> PARTIAL = new ValueStateDescriptor<>("partial", TypeInformation.of(Piece.class));
    private static final ValueStateDescriptor<Boolean> DONE = new ValueStateDescriptor<>("done", Types.BOOLEAN);

    /** Telemetry's task name for the assembler's records (measured accuracy per variant). */
    public static final String TELEMETRY_TASK = "assemble-results";

    private final Graph graph;
    private final Scorer scorer;
    /** The planned accuracy in the graph's units where its variant combinations were measured; null: the path product. */
    private final PlannedAccuracy planned;
    private final long cleanupAfterDeadlineMs;
    private final long telemetryIntervalMs;
    private final boolean replaysPossible;

    private transient GraphMetrics metrics;
    private transient CleanupTimer cleanup;
    /**
     * (task, variant) → {scored, score sum} since the last telemetry record, and ({@link Combinations#TELEMETRY_TASK},
     * combination) → the same of end-to-end scores: best effort, not checkpointed.
     */
    private transient Map<List<String>, double[]> windowScores;
    private transient long windowStart;

    /**
     * @param graph for the labels of its output tensors and the roles of its tasks in scoring
     * @param telemetryIntervalMs how often measured accuracy per variant goes to telemetry
     */
    public ResultAssembler(Graph graph, long cleanupAfterDeadlineMs, long telemetryIntervalMs) {
        this(graph, cleanupAfterDeadlineMs, telemetryIntervalMs, true);
    }

    /**
     * @param replaysPossible whether a piece may reach the assembler twice (at-least-once state: after a
     *     restore, pieces processed since the checkpoint come again): then a completed request is remembered
     *     until its cleanup time, so a replayed piece cannot start it over; under exactly-once state only a
     *     dropped request is (its other pieces are still on their way)
     */
    public ResultAssembler(Graph graph, long cleanupAfterDeadlineMs, long telemetryIntervalMs, boolean replaysPossible) {
        this.replaysPossible = replaysPossible;
        this.graph = graph;
        this.scorer = new Scorer(graph);
        this.planned = graph.measuredCombinations().isPresent() ? new PlannedAccuracy(graph) : null;
        this.cleanupAfterDeadlineMs = cleanupAfterDeadlineMs;
        this.telemetryIntervalMs = telemetryIntervalMs;
    }

    @Override
    public void open(OpenContext openContext) {
        metrics = new GraphMetrics(getRuntimeContext().getMetricGroup().addGroup("jigsaw"));
        cleanup = new CleanupTimer(cleanupAfterDeadlineMs, getRuntimeContext().getMetricGroup().addGroup("jigsaw"));
        windowScores = new LinkedHashMap<>();
    }

    private void emit(Piece merged, long now, Collector<Result> out, Context ctx) {
        // Scored per variant too, object by object (under a ladder or a cascade one request's pieces of a task ran on
        // several), in the same pass, straight into this window's sums.
        Result r = result(graph, scorer, planned, merged, now, windowScores);
        metrics.result(r);
        out.collect(r);
        if (windowStart == 0) {
            windowStart = now;
        }
        if (now - windowStart >= telemetryIntervalMs && !windowScores.isEmpty()) {
            List<VariantScore> scores = new ArrayList<>();
            windowScores.forEach((k, s) -> scores.add(new VariantScore(k.get(0), k.get(1), (long) s[0], s[1])));
            ctx.output(Tags.TELEMETRY, Telemetry.newBuilder().setGraph(graph.name()).setTask(TELEMETRY_TASK)
                    .setReplica(getRuntimeContext().getTaskInfo().getIndexOfThisSubtask()).setWindowEndMs(now)
                    .setWindowMs(now - windowStart).setArrivals(0).setArrivalRateRps(0).setQueueLength(0).setBatches(0)
                    .setMeanBatchSize(0).setBatchLatencyP50Ms(0).setBatchLatencyP99Ms(0).setDropped(0).setVariant("")
                    .setPlanVersion(r.getPlanVersion()).setScores(scores).build());
            windowScores.clear();
            windowStart = now;
        }
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
        boolean first = merged == null;
        if (first) {
            merged = piece;
        } else {
            merged.absorb(piece);
        }
        boolean complete = merged.credit().compareTo(Credit.ONE) >= 0;
        if (complete && !merged.dropped && !replaysPossible) {
            // Every piece has arrived, and under exactly-once state none arrives again: nothing to remember, no
            // timer to keep (most requests end here on their first piece: a snapshot then carries no state for them).
            emit(merged, ctx.timerService().currentProcessingTime(), out, ctx);
            if (!first) {
                partial.clear();
                cleanup.delete(ctx.timerService(), getRuntimeContext().getState(CleanupTimer.AT));
            }
            return;
        }
        if (first) {
            cleanup.register(ctx.timerService(), getRuntimeContext().getState(CleanupTimer.AT), piece.deadlineMs);
        }
        if (merged.dropped || complete) {
            // A drop answers the request while its other pieces are still on their way: remember it until they are.
            emit(merged, ctx.timerService().currentProcessingTime(), out, ctx);
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
            emit(merged, timestamp, out, ctx);
        }
        getRuntimeContext().getState(PARTIAL).clear();
        getRuntimeContext().getState(DONE).clear();
        cleanup.fired(getRuntimeContext().getState(CleanupTimer.AT));
    }

    static Result result(Graph graph, Scorer scorer, Piece p, long now) {
        return result(graph, scorer, graph.measuredCombinations().isPresent() ? new PlannedAccuracy(graph) : null, p, now, null);
    }

    /**
     * @param planned the planned accuracy from measured combinations; null: the path product the pieces carry
     * @param byVariant where to add the per-variant scores of a scored request, and its end-to-end score under the
     *     combination that served it ({@link Combinations#TELEMETRY_TASK}); null: not wanted
     */
    static Result result(Graph graph, Scorer scorer, PlannedAccuracy planned, Piece p, long now, Map<List<String>, double[]> byVariant) {
        Answers answers = Answers.of(graph, p.reports);
        Map<String, String> variants = p.variantMap();
        // Each task's variants, weighted by the pieces they ran for this request: once, for the planned figure and the credit.
        double[][] shares = planned == null || p.dropped ? null : planned.shares(p.reports, variants);
        Map<String, Double> scores = Map.of();
        Double measured = null;
        if (p.truth != null && !p.dropped) {
            scores = scorer.score(answers.objects(), answers.frame(), Arrays.asList(p.truth), variants, byVariant);
            measured = scorer.accuracy(scores);
            if (shares != null && byVariant != null) {
                // The sidecar's live accuracy per combination of variants (--accuracy-source measured) comes from these sums.
                double e2e = measured;
                planned.combination(shares).ifPresent(c -> {
                    double[] sum = byVariant.computeIfAbsent(List.of(Combinations.TELEMETRY_TASK, Combinations.key(c)), k -> new double[2]);
                    sum[0]++;
                    sum[1] += e2e;
                });
            }
        }
        return Result.newBuilder()
                .setRequestId(p.requestId)
                .setGraph(p.graph)
                .setEventTimeMs(p.eventTimeMs)
                .setCompletedMs(now)
                .setLatencyMs(now - p.eventTimeMs)
                .setSloMet(!p.dropped && now <= p.deadlineMs)
                .setVariants(variants)
                .setAccuracy(p.dropped ? 0 : shares != null ? planned.of(shares) : p.accuracy)
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
                .setAccuracyMeasured(measured)
                .setTaskScores(new HashMap<>(scores))
                .setTruthRejected(p.truthRejected)
                .build();
    }
}
