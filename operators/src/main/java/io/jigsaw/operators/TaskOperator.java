package io.jigsaw.operators;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.Task;
import io.jigsaw.core.graph.Variant;
import io.jigsaw.core.plan.Adaptation;
import io.jigsaw.core.plan.Partition;
import io.jigsaw.core.plan.Plan;
import io.jigsaw.core.plan.Slack;
import io.jigsaw.core.plan.TaskPlan;
import io.jigsaw.core.serving.CpuShares;
import io.jigsaw.core.serving.Lateness;
import io.jigsaw.core.serving.ReplicaPace;
import io.jigsaw.core.serving.ReplicaPolicy;
import io.jigsaw.runtime.VariantRunner;
import io.jigsaw.schemas.FanoutCount;
import io.jigsaw.schemas.Telemetry;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One task of the graph: batches the pieces that reach its replica, runs the current plan's
 * variant on each batch, and sends the results on to the children (side outputs) or, at a leaf, to
 * the result assembler (main output).
 *
 * <p>Keyed by lane ({@link LaneKeys}): each subtask owns one key, so the keyed state is this
 * replica's batch queue, checkpointed so a restore loses no queued piece. The plan arrives as
 * broadcast state; a new plan takes effect at the next batch: variant, batch size, timeout, share
 * (thread budget) and active replicas are live, pieces already queued stay queued and run under the
 * new plan, so a switch drops and duplicates nothing.
 *
 * <p>A piece that cannot finish this task by its deadline when its batch is formed is not run (no
 * compute is spent on it) and goes to the assembler as dropped, with the reason ({@link ReplicaPolicy#judge}).
 *
 * <p>A plan may let the replica adapt per batch and per piece ({@link Adaptation}): a ladder picks
 * each batch's variant by the slack of its tightest piece, a cascade runs the low-confidence pieces
 * again on a larger variant — by the rules in {@link ReplicaPolicy}, which the simulator follows too.
 */
public class TaskOperator extends KeyedBroadcastProcessFunction<Integer, Piece, Plan, Piece> {

    /** Pieces that arrive before any plan wait; this is how often the queue looks for one. */
    static final long NO_PLAN_RETRY_MS = 50;

    private static final ListStateDescriptor<Piece> QUEUE = new ListStateDescriptor<>("queue", TypeInformation.of(Piece.class));
    private static final ValueStateDescriptor<Long> BATCH_TIMER = new ValueStateDescriptor<>("batch-timer", Types.LONG);
    private static final ValueStateDescriptor<Long> TELEMETRY_TIMER = new ValueStateDescriptor<>("telemetry-timer", Types.LONG);

    private final Graph graph;
    private final String taskName;
    private final VariantRunner.Factory runners;
    private final TaskLanes childLanes;
    /** The end of the last telemetry window this subtask reported. */
    private transient long lastTelemetryMs;
    private final long telemetryIntervalMs;
    private final int coresPerGpu;
    private final ReplicaPolicy policy;

    private transient Task task;
    /** Derived once: every piece needs them, and the graph does not change under a running operator. */
    private transient FanOut fanOut;
    private transient boolean outputTask;
    private transient VariantRunner runner;
    /** The sessions the plan in force before the current one used: kept loaded, so switching back costs no reload. */
    private transient Set<VariantRunner.Session> previousSessions;
    private transient int replica;
    /** Length of this replica's queue; -1 until counted from the (possibly restored) queue state. */
    private transient int queued;
    private transient TaskMetrics metrics;
    /** What this replica's batches took here: early drop and a ladder judge by it. */
    private transient ReplicaPace pace;
    private transient double downstream;
    private transient long downstreamVersion;

    /**
     * @param childLanes lane keys of the operators below (every task operator with this one parallelism)
     * @param coresPerGpu CPU threads that stand for 100 % of a GPU when there is no GPU
     */
    public TaskOperator(Graph graph, String taskName, VariantRunner.Factory runners, LaneKeys childLanes,
            long telemetryIntervalMs, int coresPerGpu) {
        this(graph, taskName, runners, TaskLanes.uniform(childLanes), telemetryIntervalMs, coresPerGpu, true);
    }

    public TaskOperator(Graph graph, String taskName, VariantRunner.Factory runners, LaneKeys childLanes,
            long telemetryIntervalMs, int coresPerGpu, boolean earlyDrop) {
        this(graph, taskName, runners, TaskLanes.uniform(childLanes), telemetryIntervalMs, coresPerGpu, earlyDrop);
    }

    /**
     * @param childLanes each child operator's lane keys (its own parallelism)
     * @param earlyDrop drop pieces that cannot make their deadline instead of running them (see {@link ReplicaPolicy#judge})
     */
    public TaskOperator(Graph graph, String taskName, VariantRunner.Factory runners, TaskLanes childLanes,
            long telemetryIntervalMs, int coresPerGpu, boolean earlyDrop) {
        this.policy = new ReplicaPolicy(earlyDrop);
        this.graph = graph;
        this.taskName = taskName;
        this.runners = runners;
        this.childLanes = childLanes;
        this.telemetryIntervalMs = telemetryIntervalMs;
        this.coresPerGpu = coresPerGpu;
    }

    @Override
    public void open(OpenContext openContext) {
        task = graph.task(taskName).orElseThrow();
        fanOut = FanOut.of(graph, taskName);
        outputTask = graph.outputs().contains(taskName);
        replica = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        runner = task.pseudo() ? null : runners.open(graph, taskName);
        previousSessions = Set.of();
        queued = -1;
        lastTelemetryMs = Long.MIN_VALUE;
        pace = new ReplicaPace();
        downstreamVersion = -1;
        metrics = new TaskMetrics(getRuntimeContext().getMetricGroup().addGroup("jigsaw"), () -> Math.max(0, queued),
                () -> runner == null ? 0 : runner.sessionsHeld());
    }

    @Override
    public void close() {
        if (runner != null) {
            runner.close();
        }
    }

    @Override
    public void processElement(Piece piece, ReadOnlyContext ctx, Collector<Piece> out) throws Exception {
        piece.arrives(Micros.now());
        armTelemetry(ctx);
        if (!piece.skip) {
            // A pseudo root (Loki's 'source') runs nothing but its arrivals are the graph's demand: the planner reads them.
            metrics.arrived();
        }
        if (piece.skip || task.pseudo()) {
            // Nothing to compute: pass the credit on at once, no batch slot used.
            Plan plan = PlanBroadcast.current(ctx.getBroadcastState(PlanBroadcast.PLANS), graph.name());
            emit(piece, task.pseudo() ? task.variants().get(0) : null, Map.of(), plan, ctx, out);
            return;
        }
        ListState<Piece> queue = getRuntimeContext().getListState(QUEUE);
        queued = queued() + 1;
        queue.add(piece);
        Plan plan = PlanBroadcast.current(ctx.getBroadcastState(PlanBroadcast.PLANS), graph.name());
        if (plan != null && ReplicaPolicy.full(queued, taskPlan(plan).batchSizeOf(replica))) {
            flush(plan, ctx, out);
        } else if (getRuntimeContext().getState(BATCH_TIMER).value() == null) {
            long now = ctx.timerService().currentProcessingTime();
            long at = plan == null ? now + NO_PLAN_RETRY_MS : (long) ReplicaPolicy.timeoutAtMs(now, taskPlan(plan).batchTimeoutMs());
            ctx.timerService().registerProcessingTimeTimer(at);
            getRuntimeContext().getState(BATCH_TIMER).update(at);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Piece> out) throws Exception {
        ValueState<Long> telemetryTimer = getRuntimeContext().getState(TELEMETRY_TIMER);
        if (telemetryTimer.value() != null && telemetryTimer.value() == timestamp) {
            telemetryTimer.clear();
            // One window per subtask: after a rescale a subtask holds the lanes of several old subtasks, each with its
            // timer; the first to fire reports the window, the others end (a lane in use re-arms as pieces come).
            if (timestamp > lastTelemetryMs) {
                lastTelemetryMs = timestamp;
                ctx.output(Tags.TELEMETRY, telemetry(ctx, timestamp));
                armTelemetry(ctx);
            }
        }
        ValueState<Long> batchTimer = getRuntimeContext().getState(BATCH_TIMER);
        if (batchTimer.value() != null && batchTimer.value() == timestamp) {
            batchTimer.clear();
            Plan plan = PlanBroadcast.current(ctx.getBroadcastState(PlanBroadcast.PLANS), graph.name());
            if (plan != null) {
                flush(plan, ctx, out);
            } else if (queued() > 0) {
                long at = timestamp + NO_PLAN_RETRY_MS;
                ctx.timerService().registerProcessingTimeTimer(at);
                batchTimer.update(at);
            }
        }
    }

    @Override
    public void processBroadcastElement(Plan plan, Context ctx, Collector<Piece> out) throws Exception {
        if (!PlanBroadcast.accept(ctx.getBroadcastState(PlanBroadcast.PLANS), graph.name(), plan)) {
            return;
        }
        TaskPlan tp = taskPlan(plan);
        metrics.plan(plan.version(), tp.variantOf(replica), share(tp), tp.batchSizeOf(replica));
        if (runner == null) {
            return;
        }
        Set<VariantRunner.Session> sessions = sessions(tp);
        for (VariantRunner.Session s : sessions) {
            // Load now, between batches, so the first batch under the new plan is not slow.
            runner.prepare(s.variant(), s.threads());
        }
        Set<VariantRunner.Session> keep = new HashSet<>(sessions);
        keep.addAll(previousSessions);
        runner.retain(keep);
        previousSessions = sessions;
    }

    /** What this replica runs under a plan: its variant, a ladder's rungs, a cascade's second stage; none when idle. */
    private Set<VariantRunner.Session> sessions(TaskPlan tp) {
        if (replica >= tp.replicas()) {
            return Set.of();
        }
        int threads = threads(tp);
        Set<VariantRunner.Session> s = new LinkedHashSet<>();
        s.add(new VariantRunner.Session(tp.variantOf(replica), threads));
        for (Adaptation.Rung r : tp.adaptation().ladder()) {
            s.add(new VariantRunner.Session(r.variant(), threads));
        }
        if (tp.adaptation().cascade() != null) {
            s.add(new VariantRunner.Session(tp.adaptation().cascade().escalateTo(), threads));
        }
        return s;
    }

    private void flush(Plan plan, ReadOnlyContext ctx, Collector<Piece> out) throws Exception {
        ListState<Piece> queue = getRuntimeContext().getListState(QUEUE);
        List<Piece> pieces = new ArrayList<>();
        queue.get().forEach(pieces::add);
        queue.clear();
        queued = 0;
        ValueState<Long> batchTimer = getRuntimeContext().getState(BATCH_TIMER);
        if (batchTimer.value() != null) {
            ctx.timerService().deleteProcessingTimeTimer(batchTimer.value());
            batchTimer.clear();
        }
        TaskPlan tp = taskPlan(plan);
        Adaptation adapt = tp.adaptation();
        // Under a traffic split this replica runs its own variant and batch size (the plan's partition says which).
        Variant planned = task.variant(tp.variantOf(replica)).orElseThrow();
        int batchSize = tp.batchSizeOf(replica);
        double below = adapt.none() ? 0 : downstreamMs(plan);
        // A plan may shrink the batch while more is queued: run the queue in plan-sized batches. Lateness is
        // judged per batch, as a backlog's last batches start well after the first.
        for (List<Piece> chunk : ReplicaPolicy.chunks(pieces, batchSize)) {
            pace.expire(ctx.timerService().currentProcessingTime());
            List<Piece> batch = policy.onTime(chunk, p -> p.deadlineMs, ctx.timerService().currentProcessingTime(),
                    policy.pace(adapt, pace), (p, why) -> drop(p, why, out));
            if (batch.isEmpty()) {
                continue;
            }
            Variant variant = adapt.ladder().isEmpty() ? planned
                    : task.variant(ReplicaPolicy.rung(adapt, ReplicaPolicy.tightestDeadlineMs(batch, p -> p.deadlineMs),
                            ctx.timerService().currentProcessingTime(), below, pace)).orElseThrow();
            List<byte[]> inputs = batch.stream().map(p -> p.payload).toList();
            long start = Micros.now();
            List<Map<String, float[]>> outputs = runner.predict(variant.name(), threads(tp), inputs, batch.get(0).shape);
            long end = Micros.now();
            ran(variant, batch.size(), start, end, ctx.timerService().currentProcessingTime());
            List<Integer> up = ReplicaPolicy.firstStage(adapt.cascade(), variant.name())
                    ? lowConfidence(adapt.cascade(), batch, outputs, below, ctx) : List.of();
            // The pieces the first stage answers leave now; a cascade's escalated ones after its second stage.
            for (int i = 0; i < batch.size(); i++) {
                if (!up.contains(i)) {
                    done(batch.get(i), variant, outputs.get(i), start, end, plan, ctx, out);
                }
            }
            if (!up.isEmpty()) {
                Variant larger = task.variant(adapt.cascade().escalateTo()).orElseThrow();
                long start2 = Micros.now();
                List<Map<String, float[]>> second = runner.predict(larger.name(), threads(tp),
                        up.stream().map(i -> batch.get(i).payload).toList(), batch.get(0).shape);
                long end2 = Micros.now();
                ran(larger, up.size(), start2, end2, ctx.timerService().currentProcessingTime());
                for (int k = 0; k < up.size(); k++) {
                    // Its model time is both stages': it ran from the first stage's start.
                    done(batch.get(up.get(k)), larger, second.get(k), start, end2, plan, ctx, out);
                }
            }
        }
    }

    /** A batch of {@code size} ran on {@code variant} from {@code start} to {@code end} (micros): counted, and the pace kept. */
    private void ran(Variant variant, int size, long start, long end, long nowMs) {
        double ms = (end - start) / 1e3;
        metrics.batch(size, ms);
        metrics.ran(variant.name(), ms);
        pace.ran(variant.name(), ms, nowMs);
    }

    /** A piece this task has answered (with {@code ran}'s outputs) goes on to the children or the assembler. */
    private void done(Piece p, Variant ran, Map<String, float[]> outputs, long start, long end, Plan plan, ReadOnlyContext ctx,
            Collector<Piece> out) {
        p.ran(start, end);
        p.taskRuns++;
        p.planVersion = Math.max(p.planVersion, plan.version());
        if (outputTask) {
            p.report(TaskReport.of(taskName, ran.name(), p, outputs));
        }
        emit(p, ran, outputs, plan, ctx, out);
    }

    /**
     * A cascade's first stage judged ({@link ReplicaPolicy#escalates}): the batch's pieces of low confidence
     * whose deadline still leaves time for the larger variant. They run again on it, one batch; each stays
     * one piece, answered once.
     */
    private List<Integer> lowConfidence(Adaptation.Cascade cascade, List<Piece> batch, List<Map<String, float[]>> outputs, double belowMs,
            ReadOnlyContext ctx) {
        String tensor = task.labels().orElseThrow().tensor();
        long now = ctx.timerService().currentProcessingTime();
        List<Integer> up = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            boolean low = ReplicaPolicy.lowConfidence(cascade, outputs.get(i).get(tensor));
            if (ReplicaPolicy.escalates(cascade, low, batch.get(i).deadlineMs, now, belowMs, pace)) {
                up.add(i);
            }
        }
        metrics.cascade(batch.size(), up.size());
        return up;
    }

    /** The planned budget the tasks below this one need, per plan version (plans change rarely, batches often). */
    private double downstreamMs(Plan plan) {
        if (downstreamVersion != plan.version()) {
            downstream = Slack.downstreamMs(graph, plan).getOrDefault(taskName, 0.0);
            downstreamVersion = plan.version();
        }
        return downstream;
    }

    /**
     * A piece early drop took ({@link ReplicaPolicy#judge}): not run, no compute spent on it; it goes to
     * the assembler at once as dropped, with the reason, so its request still gets a result.
     */
    private void drop(Piece p, Lateness why, Collector<Piece> out) {
        long at = Micros.now();
        p.ran(at, at);
        p.dropped = true;
        p.dropReason = why.reason(taskName);
        metrics.dropped();
        toAssembler(p, out);
    }

    /**
     * @param ran the variant that processed it (null for a skip piece)
     * @param outputs what the variant gave for it (empty when no model ran)
     */
    private void emit(Piece piece, Variant ran, Map<String, float[]> outputs, Plan plan, ReadOnlyContext ctx, Collector<Piece> out) {
        if (ran != null) {
            piece.accuracy *= ran.accuracy();
            piece.recordVariant(taskName, ran.name());
        }
        if (fanOut.leaf()) {
            toAssembler(piece, out);
            return;
        }
        for (Map.Entry<String, List<Piece>> e : fanOut.split(piece, ran, outputs, metrics).entrySet()) {
            double[] weights = PlanBroadcast.weights(plan, e.getKey());
            for (Piece child : e.getValue()) {
                child.laneKey = childLanes.of(e.getKey()).keyForPiece(child, weights);
                child.departs(Micros.now());
                ctx.output(Tags.toChild(e.getKey()), child);
            }
        }
    }

    /** The main output: to the result assembler, done here (a leaf's result or a drop). */
    private static void toAssembler(Piece piece, Collector<Piece> out) {
        // The assembler needs the bookkeeping and the reports, not tensors: don't ship them through another shuffle.
        piece.payload = null;
        piece.frame = null;
        piece.joinParts = null;
        // (its reports and truth go on: the assembler answers and scores with them)
        piece.departs(Micros.now());
        out.collect(piece);
    }

    private void armTelemetry(ReadOnlyContext ctx) throws Exception {
        ValueState<Long> timer = getRuntimeContext().getState(TELEMETRY_TIMER);
        if (timer.value() == null) {
            long now = ctx.timerService().currentProcessingTime();
            long at = now - Math.floorMod(now, telemetryIntervalMs) + telemetryIntervalMs;
            ctx.timerService().registerProcessingTimeTimer(at);
            timer.update(at);
        }
    }

    private Telemetry telemetry(ReadOnlyContext ctx, long windowEnd) throws Exception {
        Plan plan = PlanBroadcast.current(ctx.getBroadcastState(PlanBroadcast.PLANS), graph.name());
        TaskMetrics.Window w = metrics.closeWindow();
        return Telemetry.newBuilder()
                .setGraph(graph.name())
                .setTask(taskName)
                .setReplica(replica)
                .setWindowEndMs(windowEnd)
                .setWindowMs(telemetryIntervalMs)
                .setArrivals(w.arrivals())
                .setArrivalRateRps(w.arrivals() * 1000.0 / telemetryIntervalMs)
                .setQueueLength(queued())
                .setBatches(w.batches())
                .setMeanBatchSize(w.meanBatchSize())
                .setBatchLatencyP50Ms(w.latencyPercentile(0.50))
                .setBatchLatencyP99Ms(w.latencyPercentile(0.99))
                .setDropped(w.dropped())
                .setVariant(plan == null ? "" : taskPlan(plan).variantOf(replica))
                .setPlanVersion(plan == null ? 0 : plan.version())
                .setFanout(w.fanout().stream().map(f -> new FanoutCount(f.variant(), f.child(), f.piecesIn(), f.piecesOut())).toList())
                .setBoxesSkipped(new java.util.HashMap<>(w.boxesSkipped()))
                .setRungBatches(new java.util.HashMap<>(w.rungBatches()))
                .setCascadeInputs(w.cascadeInputs())
                .setEscalated(w.escalated())
                .build();
    }

    /** Counted once from the queue state: after a restore from a checkpoint the queue is not empty. */
    private int queued() throws Exception {
        if (queued < 0) {
            int n = 0;
            for (Piece ignored : getRuntimeContext().getListState(QUEUE).get()) {
                n++;
            }
            queued = n;
        }
        return queued;
    }

    private TaskPlan taskPlan(Plan plan) {
        return plan.task(taskName).orElseThrow(() -> new IllegalStateException(
                "plan " + plan.version() + " has no entry for task " + taskName + "; plans are validated before broadcast"));
    }

    private double share(TaskPlan tp) {
        List<Partition> parts = tp.partitions();
        return replica < parts.size() ? parts.get(replica).share() : 0;
    }

    private int threads(TaskPlan tp) {
        return CpuShares.threads(share(tp), coresPerGpu);
    }

}
