package io.jigsaw.job.topology;

import io.jigsaw.core.graph.Dataflow;
import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.Task;
import io.jigsaw.core.plan.Plan;
import io.jigsaw.job.JigsawOptions;
import io.jigsaw.job.kafka.KafkaIo;
import io.jigsaw.job.kafka.Topics;
import io.jigsaw.operators.JoinBranches;
import io.jigsaw.operators.LaneKeys;
import io.jigsaw.operators.TaskLanes;
import io.jigsaw.operators.Piece;
import io.jigsaw.operators.PlanBroadcast;
import io.jigsaw.operators.PlanDecoder;
import io.jigsaw.operators.RequestDecoder;
import io.jigsaw.operators.RequestDeduplicator;
import io.jigsaw.operators.ResultAssembler;
import io.jigsaw.operators.Tags;
import io.jigsaw.operators.TaskOperator;
import io.jigsaw.runtime.SavedModelSignatures;
import io.jigsaw.runtime.VariantRunner;
import io.jigsaw.schemas.DeadLetter;
import io.jigsaw.schemas.Result;
import io.jigsaw.schemas.Telemetry;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.operators.SlotSharingGroup;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSink;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the serving topology of one graph; it only wires (the logic is in the operators):
 *
 * <pre>
 * requests ─► decode ─► deduplicate ─► detect ─┬─► classify ─┐
 *                                              └─► depth ────┴─► join:fuse ─► fuse ─► assemble-results ─► results
 * plans ─► validate ─► (broadcast to decode, every task and every join)
 * every task ─► telemetry;  decode, deduplicate, validate ─► dead-letters
 * </pre>
 *
 * One operator per task, named as the task, keyed by lane so each subtask is one replica.
 */
public final class JigsawJob {

    /** Fixed so lane keys computed at build time match Flink's key-group routing. */
    public static final int MAX_PARALLELISM = 128;

    private JigsawJob() {
    }

    /** The job on Kafka: the topics and delivery that {@code conf} names. */
    public static void build(StreamExecutionEnvironment env, Graph graph, Configuration conf, VariantRunner.Factory runners) {
        build(env, graph, conf, runners, KafkaIo.from(conf));
    }

    /**
     * The job reading and writing through {@code io}. Every operator has a fixed uid, so a savepoint maps onto the
     * next build's topology by name (a generated id changes with any change to the graph of operators).
     */
    public static void build(StreamExecutionEnvironment env, Graph graph, Configuration conf, VariantRunner.Factory runners,
            JobIo io) {
        if (graph.input().isEmpty()) {
            throw new IllegalArgumentException("graph " + graph.name() + " has no input spec (input: {shape, dtype}); the job needs it");
        }
        // Every model against the graph before anything starts: a wrong shape is an error naming the task and tensor.
        Dataflow flow = SavedModelSignatures.check(graph);
        env.setMaxParallelism(MAX_PARALLELISM);
        // Chained operators hand records on without a copy. Safe here: no function keeps or changes a record
        // after emitting it, and records from the network are always fresh objects (Flink deserialises them
        // without reuse); it saves a deep copy of every result between the assembler and its sink.
        env.getConfig().enableObjectReuse();
        env.setBufferTimeout(conf.get(JigsawOptions.BUFFER_TIMEOUT).toMillis());
        JigsawOptions.Delivery delivery = conf.get(JigsawOptions.DELIVERY);
        // Checkpoints hold the source offsets and every operator's state, so a restart resumes where the
        // checkpoint was taken; the transactional sinks commit with them (exactly once).
        env.enableCheckpointing(conf.get(JigsawOptions.CHECKPOINT_INTERVAL).toMillis(),
                delivery.exactlyOnceState() ? CheckpointingMode.EXACTLY_ONCE : CheckpointingMode.AT_LEAST_ONCE);
        String requestTopic = Topics.from(conf).requests();
        int slots = conf.get(JigsawOptions.REPLICA_SLOTS);
        Map<String, Integer> replicas = taskReplicas(graph, conf);
        LaneKeys ioLanes = LaneKeys.of(slots, MAX_PARALLELISM);
        Map<String, LaneKeys> byTask = new HashMap<>();
        replicas.forEach((task, n) -> byTask.put(task, LaneKeys.of(n, MAX_PARALLELISM)));
        TaskLanes lanes = TaskLanes.of(byTask, ioLanes);
        long cleanupMs = conf.get(JigsawOptions.CLEANUP_AFTER_DEADLINE).toMillis();
        // On partition TaskManagers every operator asks for its role's resource (Placement); elsewhere none.
        boolean pin = Placement.enabled(conf);
        SlotSharingGroup group = pin ? Placement.group(Placement.IO) : null;

        SingleOutputStreamOperator<Plan> validPlans = on(group, on(group, env
                .fromSource(io.plans(), WatermarkStrategy.noWatermarks(), "plans").uid("plans").setParallelism(1))
                .process(new PlanDecoder(graph)).name("validate-plans").uid("validate-plans").setParallelism(1));
        BroadcastStream<Plan> plans = validPlans.broadcast(PlanBroadcast.PLANS);

        SingleOutputStreamOperator<Piece> decoded = on(group, on(group, env
                .fromSource(io.requests(), WatermarkStrategy.noWatermarks(), "requests").uid("requests")
                .setParallelism(slots))
                .connect(plans).process(new RequestDecoder(graph, lanes.of(graph.root().name()),
                        RequestDecoder.maxRecordBytes(graph, conf.get(JigsawOptions.REQUEST_EXTRA_BYTES).getBytes(), imageLimits(conf)),
                        imageLimits(conf), conf.get(JigsawOptions.REQUEST_CLOCK)))
                .name("decode-requests").uid("decode-requests")
                .setParallelism(slots));
        SingleOutputStreamOperator<Piece> unique = on(group, decoded.keyBy(p -> p.requestId)
                .process(new RequestDeduplicator(requestTopic, cleanupMs)).name("deduplicate-requests")
                .uid("deduplicate-requests").setParallelism(slots));
        DataStream<Piece> roots = on(group, unique.assignTimestampsAndWatermarks(WatermarkStrategy
                .<Piece>forBoundedOutOfOrderness(Duration.ofSeconds(1))
                .withTimestampAssigner((piece, ts) -> piece.eventTimeMs)).name("event-time").uid("event-time")
                .setParallelism(slots));

        Map<String, SingleOutputStreamOperator<Piece>> operators = new HashMap<>();
        List<DataStream<Piece>> done = new ArrayList<>();
        List<DataStream<Telemetry>> telemetry = new ArrayList<>();
        for (Task task : graph.tasks()) {
            DataStream<Piece> in = input(graph, task, roots, operators, plans, lanes, cleanupMs, slots, group, flow);
            // A pseudo task (Loki's source and sink) runs no model and has no partition: it runs beside the Kafka operators.
            SingleOutputStreamOperator<Piece> op = on(pin ? Placement.group(task.pseudo() ? Placement.IO : task.name()) : null,
                    in.keyBy(p -> p.laneKey).connect(plans)
                    .process(new TaskOperator(graph, task.name(), runners, lanes,
                            conf.get(JigsawOptions.TELEMETRY_INTERVAL).toMillis(), conf.get(JigsawOptions.CORES_PER_GPU),
                            conf.get(JigsawOptions.EARLY_DROP)))
                    .name(task.name()).uid("task-" + task.name()).setParallelism(replicas.getOrDefault(task.name(), slots)));
            operators.put(task.name(), op);
            done.add(op);
            telemetry.add(op.getSideOutput(Tags.TELEMETRY));
        }

        SingleOutputStreamOperator<Result> results = on(group, union(done).keyBy(p -> p.requestId)
                .process(new ResultAssembler(graph, cleanupMs, conf.get(JigsawOptions.TELEMETRY_INTERVAL).toMillis(),
                        !delivery.exactlyOnceState()))
                .name("assemble-results").uid("assemble-results").setParallelism(slots));
        // The assembler's telemetry: measured accuracy per variant, from the requests that carried their truth.
        telemetry.add(results.getSideOutput(Tags.TELEMETRY));
        // Every record the job writes carries the job's own time, never a client's: a broker refuses timestamps
        // more than an hour ahead of its clock (log.message.timestamp.after.max.ms), and a sink that fails on one
        // record fails the job.
        DataStream<Result> stamped = jobTime(group, "results", results, Result::getCompletedMs, slots);
        on(group, stamped.sinkTo(io.results()).name("results").uid("results").setParallelism(slots));
        io.resultsJson().ifPresent(json -> on(group, stamped.sinkTo(json).name("results-json").uid("results-json").setParallelism(slots)));
        on(group, jobTime(group, "telemetry", union(telemetry), Telemetry::getWindowEndMs, 1)
                .sinkTo(io.telemetry()).name("telemetry").uid("telemetry").setParallelism(1));
        on(group, jobTime(group, "dead-letters", decoded.getSideOutput(Tags.DEAD_LETTERS).union(
                        unique.getSideOutput(Tags.DEAD_LETTERS), validPlans.getSideOutput(Tags.DEAD_LETTERS)),
                        DeadLetter::getTimeMs, 1)
                .sinkTo(io.deadLetters()).name("dead-letters").uid("dead-letters").setParallelism(1));
    }

    /** Each task operator's parallelism named by jigsaw.task-replicas; a name that is no task of the graph is an error. */
    static Map<String, Integer> taskReplicas(Graph graph, Configuration conf) {
        Map<String, Integer> out = new HashMap<>();
        conf.get(JigsawOptions.TASK_REPLICAS).forEach((task, count) -> {
            if (graph.task(task).isEmpty()) {
                throw new IllegalArgumentException(JigsawOptions.TASK_REPLICAS.key() + ": " + task + " is no task of graph "
                        + graph.name() + " (its tasks: " + graph.tasks().stream().map(Task::name).toList() + ")");
            }
            int n;
            try {
                n = Integer.parseInt(count.trim());
            } catch (NumberFormatException e) {
                n = 0;
            }
            if (n < 1 || n > MAX_PARALLELISM) {
                throw new IllegalArgumentException(JigsawOptions.TASK_REPLICAS.key() + ": task " + task + " needs a replica count "
                        + "from 1 to " + MAX_PARALLELISM + ", found '" + count + "'");
            }
            out.put(task, n);
        });
        return out;
    }

    /** {@code records} with their record timestamp (what the Kafka sink writes) taken from {@code jobClock}. */
    private static <T> SingleOutputStreamOperator<T> jobTime(SlotSharingGroup group, String sink, DataStream<T> records,
            SerializableTime<T> jobClock, int parallelism) {
        return on(group, records.assignTimestampsAndWatermarks(WatermarkStrategy.<T>noWatermarks()
                        .withTimestampAssigner((r, ts) -> jobClock.applyAsLong(r)))
                .name("job-time").uid("job-time-" + sink).setParallelism(parallelism));
    }

    /** A record's time on the job's clock: shipped with the job, so serialisable. */
    private interface SerializableTime<T> extends java.util.function.ToLongFunction<T>, java.io.Serializable {
    }

    private static <T> SingleOutputStreamOperator<T> on(SlotSharingGroup group, SingleOutputStreamOperator<T> op) {
        return group == null ? op : op.slotSharingGroup(group);
    }

    private static <T> DataStreamSink<T> on(SlotSharingGroup group, DataStreamSink<T> sink) {
        return group == null ? sink : sink.slotSharingGroup(group);
    }

    /** A task's input: its parent's side output, or, with several parents, their pieces joined per request. */
    private static DataStream<Piece> input(Graph graph, Task task, DataStream<Piece> roots,
            Map<String, SingleOutputStreamOperator<Piece>> operators, BroadcastStream<Plan> plans, TaskLanes lanes,
            long cleanupMs, int slots, SlotSharingGroup io, Dataflow flow) {
        if (task.after().isEmpty()) {
            return roots;
        }
        List<DataStream<Piece>> parents = task.after().stream()
                .map(p -> (DataStream<Piece>) operators.get(p).getSideOutput(Tags.toChild(task.name()))).toList();
        if (parents.size() == 1) {
            return parents.get(0);
        }
        return on(io, union(parents).keyBy(p -> p.requestId).connect(plans)
                .process(new JoinBranches(graph, task.name(), lanes.of(task.name()), cleanupMs, flow.join(task.name())))
                .name("join:" + task.name()).uid("join-" + task.name()).setParallelism(slots));
    }

    private static <T> DataStream<T> union(List<DataStream<T>> streams) {
        DataStream<T> first = streams.get(0);
        if (streams.size() == 1) {
            return first;
        }
        @SuppressWarnings("unchecked")
        DataStream<T>[] rest = streams.subList(1, streams.size()).toArray(new DataStream[0]);
        return first.union(rest);
    }

    /** What an encoded picture a request carries may be (jigsaw.requests.max-image-bytes, max-image-pixels). */
    static io.jigsaw.core.image.Pictures.Limits imageLimits(Configuration conf) {
        return new io.jigsaw.core.image.Pictures.Limits(conf.get(JigsawOptions.REQUEST_MAX_IMAGE_BYTES).getBytes(),
                conf.get(JigsawOptions.REQUEST_MAX_IMAGE_PIXELS));
    }
}
