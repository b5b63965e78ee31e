package io.jigsaw.job;

import io.jigsaw.core.graph.Dataflow;
import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.Task;
import io.jigsaw.core.plan.Plan;
import io.jigsaw.job.kafka.KafkaConnection;
import io.jigsaw.job.kafka.ResultKeys;
import io.jigsaw.job.kafka.SourceRecords;
import io.jigsaw.job.kafka.Topics;
import io.jigsaw.operators.AvroValueSchema;
import io.jigsaw.operators.JoinBranches;
import io.jigsaw.operators.LaneKeys;
import io.jigsaw.operators.Piece;
import io.jigsaw.operators.PlanBroadcast;
import io.jigsaw.operators.PlanDecoder;
import io.jigsaw.operators.RequestDecoder;
import io.jigsaw.operators.RequestDeduplicator;
import io.jigsaw.operators.ResultAssembler;
import io.jigsaw.operators.SavedModelSignatures;
import io.jigsaw.operators.SourceRecord;
import io.jigsaw.operators.Tags;
import io.jigsaw.operators.TaskOperator;
import io.jigsaw.operators.VariantRunner;
import io.jigsaw.schemas.DeadLetter;
import io.jigsaw.schemas.Result;
import io.jigsaw.schemas.Telemetry;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.operators.SlotSharingGroup;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSink;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

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

    public static void build(StreamExecutionEnvironment env, Graph graph, Configuration conf, VariantRunner.Factory runners) {
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
        Topics topics = Topics.from(conf);
        KafkaConnection kafka = KafkaConnection.from(conf);
        int slots = conf.get(JigsawOptions.REPLICA_SLOTS);
        LaneKeys lanes = LaneKeys.of(slots, MAX_PARALLELISM);
        long cleanupMs = conf.get(JigsawOptions.CLEANUP_AFTER_DEADLINE).toMillis();
        // On partition TaskManagers every operator asks for its role's resource (Placement); elsewhere none.
        boolean pin = Placement.enabled(conf);
        SlotSharingGroup io = pin ? Placement.group(Placement.IO) : null;

        SingleOutputStreamOperator<Plan> validPlans = on(io, on(io, env
                .fromSource(source(kafka, topics.plans(), conf.get(JigsawOptions.GROUP_ID) + "-plans",
                        OffsetsInitializer.earliest()), WatermarkStrategy.noWatermarks(), "plans")
                .setParallelism(1))
                .process(new PlanDecoder(graph)).name("validate-plans").setParallelism(1));
        BroadcastStream<Plan> plans = validPlans.broadcast(PlanBroadcast.PLANS);

        OffsetsInitializer requestStart = conf.get(JigsawOptions.START_FROM) == JigsawOptions.StartFrom.LATEST
                ? OffsetsInitializer.latest() : OffsetsInitializer.earliest();
        SingleOutputStreamOperator<Piece> decoded = on(io, on(io, env
                .fromSource(source(kafka, topics.requests(), conf.get(JigsawOptions.GROUP_ID), requestStart),
                        WatermarkStrategy.noWatermarks(), "requests")
                .setParallelism(slots))
                .connect(plans).process(new RequestDecoder(graph, lanes,
                        RequestDecoder.maxRecordBytes(graph, conf.get(JigsawOptions.REQUEST_EXTRA_BYTES).getBytes())))
                .name("decode-requests")
                .setParallelism(slots));
        SingleOutputStreamOperator<Piece> unique = on(io, decoded.keyBy(p -> p.requestId)
                .process(new RequestDeduplicator(topics.requests(), cleanupMs)).name("deduplicate-requests")
                .uid("deduplicate-requests").setParallelism(slots));
        DataStream<Piece> roots = on(io, unique.assignTimestampsAndWatermarks(WatermarkStrategy
                .<Piece>forBoundedOutOfOrderness(Duration.ofSeconds(1))
                .withTimestampAssigner((piece, ts) -> piece.eventTimeMs)).name("event-time").setParallelism(slots));

        Map<String, SingleOutputStreamOperator<Piece>> operators = new HashMap<>();
        List<DataStream<Piece>> done = new ArrayList<>();
        List<DataStream<Telemetry>> telemetry = new ArrayList<>();
        for (Task task : graph.tasks()) {
            DataStream<Piece> in = input(graph, task, roots, operators, plans, lanes, cleanupMs, slots, io, flow);
            SingleOutputStreamOperator<Piece> op = on(pin ? Placement.group(task.name()) : null, in.keyBy(p -> p.laneKey).connect(plans)
                    .process(new TaskOperator(graph, task.name(), runners, lanes,
                            conf.get(JigsawOptions.TELEMETRY_INTERVAL).toMillis(), conf.get(JigsawOptions.CORES_PER_GPU),
                            conf.get(JigsawOptions.EARLY_DROP)))
                    .name(task.name()).uid("task-" + task.name()).setParallelism(slots));
            operators.put(task.name(), op);
            done.add(op);
            telemetry.add(op.getSideOutput(Tags.TELEMETRY));
        }

        SingleOutputStreamOperator<Result> results = on(io, union(done).keyBy(p -> p.requestId)
                .process(new ResultAssembler(graph, cleanupMs, conf.get(JigsawOptions.TELEMETRY_INTERVAL).toMillis(),
                        !delivery.exactlyOnceState()))
                .name("assemble-results").uid("assemble-results").setParallelism(slots));
        // The assembler's telemetry: measured accuracy per variant, from the requests that carried their truth.
        telemetry.add(results.getSideOutput(Tags.TELEMETRY));
        String group = conf.get(JigsawOptions.GROUP_ID);
        // Every record the job writes carries the job's own time, never a client's: a broker refuses timestamps
        // more than an hour ahead of its clock (log.message.timestamp.after.max.ms), and a sink that fails on one
        // record fails the job.
        on(io, jobTime(io, results, Result::getCompletedMs, slots)
                .sinkTo(sink(kafka, topics.results(), Result.class, ResultKeys::of, delivery, group + "-results"))
                .name("results").uid("results").setParallelism(slots));
        // Telemetry is a rate signal for the planner: a repeated or lost window after a restore does no harm,
        // and it must not wait for a checkpoint, so it is never transactional.
        on(io, jobTime(io, union(telemetry), Telemetry::getWindowEndMs, 1).sinkTo(sink(kafka, topics.telemetry(), Telemetry.class,
                t -> t.getTask() + "/" + t.getReplica(), JigsawOptions.Delivery.AT_LEAST_ONCE, group + "-telemetry")).name("telemetry").uid("telemetry").setParallelism(1));
        on(io, jobTime(io, decoded.getSideOutput(Tags.DEAD_LETTERS).union(unique.getSideOutput(Tags.DEAD_LETTERS),
                        validPlans.getSideOutput(Tags.DEAD_LETTERS)), DeadLetter::getTimeMs, 1)
                .sinkTo(sink(kafka, topics.deadLetters(), DeadLetter.class, DeadLetter::getRequestId, delivery,
                        group + "-dead-letters"))
                .name("dead-letters").uid("dead-letters").setParallelism(1));
    }

    /** {@code records} with their record timestamp (what the Kafka sink writes) taken from {@code jobClock}. */
    private static <T> SingleOutputStreamOperator<T> jobTime(SlotSharingGroup group, DataStream<T> records,
            SerializableTime<T> jobClock, int parallelism) {
        return on(group, records.assignTimestampsAndWatermarks(WatermarkStrategy.<T>noWatermarks()
                        .withTimestampAssigner((r, ts) -> jobClock.applyAsLong(r)))
                .name("job-time").setParallelism(parallelism));
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
            Map<String, SingleOutputStreamOperator<Piece>> operators, BroadcastStream<Plan> plans, LaneKeys lanes,
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
                .process(new JoinBranches(graph, task.name(), lanes, cleanupMs, flow.join(task.name())))
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

    private static KafkaSource<SourceRecord> source(KafkaConnection kafka, String topic, String group, OffsetsInitializer start) {
        return KafkaSource.<SourceRecord>builder()
                .setProperties(kafka.properties())
                .setBootstrapServers(kafka.bootstrap())
                .setTopics(topic)
                .setGroupId(group)
                .setStartingOffsets(start)
                // Raw bytes and where they were read: a record that does not decode must reach dead-letters, not fail the source.
                .setDeserializer(new SourceRecords())
                .setProperty("partition.discovery.interval.ms", "10000")
                .build();
    }

    private static <T extends SpecificRecord> KafkaSink<T> sink(KafkaConnection kafka, String topic, Class<T> type,
            SerializableKey<T> keyFn, JigsawOptions.Delivery delivery, String transactionalIdPrefix) {
        return KafkaSink.<T>builder()
                .setKafkaProducerConfig(kafka.properties())
                .setBootstrapServers(kafka.bootstrap())
                .setRecordSerializer(KafkaRecordSerializationSchema.<T>builder()
                        .setTopic(topic)
                        .setKeySerializationSchema(v -> keyFn.apply(v).getBytes(StandardCharsets.UTF_8))
                        .setValueSerializationSchema(new AvroValueSchema<>(type))
                        .build())
                .setDeliveryGuarantee(delivery.transactional() ? DeliveryGuarantee.EXACTLY_ONCE : DeliveryGuarantee.AT_LEAST_ONCE)
                .setTransactionalIdPrefix(transactionalIdPrefix)
                // Flink's default (1 h) is above the brokers' default ceiling (transaction.max.timeout.ms, 15 min).
                .setProperty("transaction.timeout.ms", String.valueOf(TRANSACTION_TIMEOUT_MS))
                // Results are latency-critical: Kafka 4's producer default (5 ms) would add it to every result.
                .setProperty("linger.ms", "0")
                .build();
    }

    /** Long enough to outlive a restart and a checkpoint, below the broker's default maximum of 15 minutes. */
    static final long TRANSACTION_TIMEOUT_MS = 10 * 60 * 1000;

    /** Record key of a sink (the request id for results): shipped with the sink, so serialisable. */
    private interface SerializableKey<T> extends Function<T, String>, java.io.Serializable {
    }
}
