package io.jigsaw.job;

import io.jigsaw.core.plan.AdaptationMode;
import io.jigsaw.job.topology.Placement;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;

import java.time.Duration;
import java.util.Map;

/**
 * Every setting of the job, typed, in one place: the CLI, flink-conf/config.yaml and the tests set
 * these same keys.
 */
public final class JigsawOptions {

    public static final ConfigOption<String> GRAPH = ConfigOptions.key("jigsaw.graph")
            .stringType().noDefaultValue()
            .withDescription("Path of the graph file (our YAML); its models_dir must be readable by every TaskManager.");

    public static final ConfigOption<String> MODELS_DIR = ConfigOptions.key("jigsaw.models-dir")
            .stringType().noDefaultValue()
            .withDescription("Overrides the graph's models_dir: where the variants' SavedModels are.");

    public static final ConfigOption<Double> LATENCY_SLO_MS = ConfigOptions.key("jigsaw.latency-slo-ms")
            .doubleType().noDefaultValue()
            .withDescription("Overrides the graph's end-to-end latency SLO in milliseconds (requests' deadlines and the plans).");

    public static final ConfigOption<String> BOOTSTRAP = ConfigOptions.key("jigsaw.kafka.bootstrap-servers")
            .stringType().defaultValue("127.0.0.1:9092")
            .withDescription("Kafka bootstrap servers.");

    public static final ConfigOption<String> KAFKA_CLIENT_CONFIG = ConfigOptions.key("jigsaw.kafka.client-config")
            .stringType().noDefaultValue()
            .withDescription("A Kafka client properties file (security.protocol, sasl.*, ssl.* …) applied to every Kafka "
                    + "client of the job and the sidecar, for a secured cluster. Read where the job is built; never logged.");

    public static final ConfigOption<String> GROUP_ID = ConfigOptions.key("jigsaw.kafka.group-id")
            .stringType().defaultValue("jigsaw-job")
            .withDescription("Consumer group of the job's Kafka sources.");

    /** Where the requests source starts when it has no checkpointed offsets. */
    public enum StartFrom { EARLIEST, LATEST }

    public static final ConfigOption<StartFrom> START_FROM = ConfigOptions.key("jigsaw.kafka.requests-start")
            .enumType(StartFrom.class).defaultValue(StartFrom.EARLIEST)
            .withDescription("Where the requests source starts on a fresh start: earliest or latest. Plans are always read from the earliest.");

    /** What a consumer of {@code results} and {@code dead-letters} can rely on across failures. */
    public enum Delivery {
        /** Transactional sinks committed at checkpoints: each request's result is visible exactly once (read_committed). */
        EXACTLY_ONCE,
        /**
         * Each result is written the moment it is assembled, keyed by its request id, onto a compacted topic;
         * state still checkpoints exactly once, so after a restore only results written since the last
         * checkpoint are written again, under the same key, and a reader that drops a request id it has
         * already seen ({@code DistinctResults}) sees every answer once without waiting for a commit.
         */
        IDEMPOTENT,
        /** Results are visible as soon as they are assembled; after a restore some may repeat, keyed by request id. */
        AT_LEAST_ONCE;

        /** Whether the results and dead-letter sinks write in Kafka transactions committed at checkpoints. */
        public boolean transactional() {
            return this == EXACTLY_ONCE;
        }

        /** Whether operator state checkpoints with aligned barriers (each record's effect on state exactly once). */
        public boolean exactlyOnceState() {
            return this != AT_LEAST_ONCE;
        }
    }

    public static final ConfigOption<Delivery> DELIVERY = ConfigOptions.key("jigsaw.delivery")
            .enumType(Delivery.class).defaultValue(Delivery.IDEMPOTENT)
            .withDescription("exactly_once: results and dead letters are written in Kafka transactions committed at each "
                    + "checkpoint, so read_committed consumers see each once but only after the checkpoint that follows "
                    + "them (about half the checkpoint interval later on average). idempotent: each result is written at once, "
                    + "keyed by request id, onto a compacted topic, with exactly-once state; a restore writes the results since "
                    + "the last checkpoint again under the same key, which a reader that drops seen request ids (as all of "
                    + "Jigsaw's do) never shows twice. at_least_once: as idempotent, with cheaper unaligned-barrier "
                    + "checkpoints whose restore may also count a record twice in operator state.");

    public static final ConfigOption<Duration> CHECKPOINT_INTERVAL = ConfigOptions.key("jigsaw.checkpoint.interval")
            .durationType().defaultValue(Duration.ofSeconds(2))
            .withDescription("How often the job checkpoints its Kafka offsets and operator state (batch queues, partial "
                    + "joins, the plan in force); a restore re-serves what came after the last one. Under exactly_once it is "
                    + "also how often results become visible, so keep it short there (e.g. 100 ms); under idempotent and "
                    + "at_least_once it costs CPU only (every checkpoint snapshots every request's keyed state).");

    public static final ConfigOption<String> TOPIC_REQUESTS = ConfigOptions.key("jigsaw.topic.requests")
            .stringType().defaultValue("requests").withDescription("Topic of incoming requests (Avro Request).");
    public static final ConfigOption<String> TOPIC_RESULTS = ConfigOptions.key("jigsaw.topic.results")
            .stringType().defaultValue("results").withDescription("Topic of per-request results (Avro Result).");
    public static final ConfigOption<String> TOPIC_RESULTS_JSON = ConfigOptions.key("jigsaw.topic.results-json")
            .stringType().defaultValue("").withDescription("A topic the job mirrors every result to as one JSON object per record"
                    + " (the fields of `bin/jigsaw results --json`, keyed like results), for tools that know no Avro (`kcat -C -t"
                    + " results-json`); empty: no mirror. Written with the results' delivery guarantee.");
    public static final ConfigOption<String> TOPIC_PLANS = ConfigOptions.key("jigsaw.topic.plans")
            .stringType().defaultValue("plans").withDescription("Control topic of plans (Avro Plan), broadcast to every task.");
    public static final ConfigOption<String> TOPIC_TELEMETRY = ConfigOptions.key("jigsaw.topic.telemetry")
            .stringType().defaultValue("telemetry").withDescription("Topic of per-replica telemetry (Avro Telemetry).");
    public static final ConfigOption<String> TOPIC_DEAD_LETTERS = ConfigOptions.key("jigsaw.topic.dead-letters")
            .stringType().defaultValue("dead-letters").withDescription("Topic of rejected records (Avro DeadLetter).");

    public static final ConfigOption<Integer> REPLICA_SLOTS = ConfigOptions.key("jigsaw.replica-slots")
            .intType().defaultValue(2)
            .withDescription("Parallelism of every task operator not named in jigsaw.task-replicas (on a MiniCluster: all of them), "
                    + "and of the Kafka, decode, join and assembly operators: the most replicas a plan can activate without a rescale.");

    public static final ConfigOption<Map<String, String>> TASK_REPLICAS = ConfigOptions.key("jigsaw.task-replicas")
            .mapType().defaultValue(Map.of())
            .withDescription("Parallelism of named task operators, e.g. detect:3,classify:1: on a cluster whose TaskManagers are "
                    + "the plan's partitions (one slot each) the partition manager submits the job with each task's replica count "
                    + "of the plan in force, and again with the next plan's when it moves the job (PartitionManager).");

    public static final ConfigOption<Integer> CORES_PER_GPU = ConfigOptions.key("jigsaw.cpu.cores-per-gpu")
            .intType().defaultValue(Runtime.getRuntime().availableProcessors())
            .withDescription("On a machine without GPU: CPU threads that stand for 100 % of one GPU (a share becomes a thread budget).");

    public static final ConfigOption<Duration> TELEMETRY_INTERVAL = ConfigOptions.key("jigsaw.telemetry.interval")
            .durationType().defaultValue(Duration.ofSeconds(1))
            .withDescription("How often each replica publishes telemetry.");

    public static final ConfigOption<Duration> CLEANUP_AFTER_DEADLINE = ConfigOptions.key("jigsaw.cleanup-after-deadline")
            .durationType().defaultValue(Duration.ofSeconds(10))
            .withDescription("How long past its deadline a request's partial state is kept; then it is reported dropped (incomplete).");

    public static final ConfigOption<MemorySize> REQUEST_EXTRA_BYTES = ConfigOptions.key("jigsaw.requests.max-extra-bytes")
            .memoryType().defaultValue(MemorySize.parse("64kb"))
            .withDescription("What a request record may carry besides the graph's input frame (its ids, shape and truth): a larger "
                    + "record is dead-lettered unread, with a reference to it.");

    public static final ConfigOption<MemorySize> REQUEST_MAX_IMAGE_BYTES = ConfigOptions.key("jigsaw.requests.max-image-bytes")
            .memoryType().defaultValue(MemorySize.parse("960kb"))
            .withDescription("The largest encoded picture (JPEG, PNG) a request may carry as its frame; a larger one is a dead letter,"
                    + " unread. The default keeps a request within Kafka's default 1 MiB record (max.message.bytes, a producer's"
                    + " max.request.size): raise those with it.");

    public static final ConfigOption<Long> REQUEST_MAX_IMAGE_PIXELS = ConfigOptions.key("jigsaw.requests.max-image-pixels")
            .longType().defaultValue(3840L * 2160)
            .withDescription("The most pixels (width x height, read from the picture's header before any is decoded) an encoded"
                    + " picture may have: a decompression bomb is a dead letter, not an OutOfMemoryError. Default: a 4K frame's.");

    public static final ConfigOption<io.jigsaw.operators.RequestClock> REQUEST_CLOCK = ConfigOptions.key("jigsaw.requests.clock")
            .enumType(io.jigsaw.operators.RequestClock.class).defaultValue(io.jigsaw.operators.RequestClock.EVENT_TIME)
            .withDescription("Where a request's SLO clock starts: EVENT_TIME (the producer's event_time_ms: what its user waits,"
                    + " but a client's clock), LOG_APPEND_TIME (the broker's clock: the requests topic is created with"
                    + " message.timestamp.type=LogAppendTime; a record without it counts from its arrival), or INGESTION (when the"
                    + " job decodes it). Its deadline is that start plus its budget (deadline_ms − event_time_ms, else the SLO).");

    public static final ConfigOption<Boolean> EARLY_DROP = ConfigOptions.key("jigsaw.early-drop")
            .booleanType().defaultValue(true)
            .withDescription("Drop a request at the first task that finds it cannot finish by its deadline (it gets a "
                    + "result with dropped=true and the reason) instead of spending model time on it. false runs every "
                    + "request, however late: only for comparison.");

    public static final ConfigOption<Duration> BUFFER_TIMEOUT = ConfigOptions.key("jigsaw.network.buffer-timeout")
            .durationType().defaultValue(Duration.ZERO)
            .withDescription("How long Flink holds a network buffer before sending it. Flink's 100 ms default costs up to "
                    + "100 ms on each of the job's shuffles; serving wants per-request latency, so it is 0 here (send "
                    + "after each record): a request is one or a few records of kilobytes, and the benchmark measured no "
                    + "throughput loss against 1 ms while the hops got faster.");

    // Placement on a cluster whose TaskManagers are GPU partitions (bin/jigsaw cluster, a GPU deployment).

    public static final ConfigOption<Boolean> PIN_TO_PARTITIONS = ConfigOptions.key("jigsaw.placement.pin-to-partitions")
            .booleanType().defaultValue(false)
            .withDescription("Put each task's operator in its own slot sharing group that asks for the external resource "
                    + "jigsaw-task-<task> (and the Kafka and join operators in one asking for jigsaw-io), so Flink's "
                    + "scheduler places them only on the TaskManagers that declare it: the partitions the plan gave the "
                    + "task (Placement). Off: Flink places operators anywhere, as on a MiniCluster.");

    public static final ConfigOption<String> PARTITION_TASK = ConfigOptions.key("jigsaw.partition.task")
            .stringType().noDefaultValue()
            .withDescription("TaskManager option: the task whose replicas this TaskManager (one GPU partition) hosts; "
                    + "\"io\" for the CPU TaskManager of the Kafka and join operators.");

    public static final ConfigOption<Integer> PARTITION_GPU = ConfigOptions.key("jigsaw.partition.gpu")
            .intType().noDefaultValue()
            .withDescription("TaskManager option: the GPU of this partition (its launcher sets CUDA_VISIBLE_DEVICES to it).");

    public static final ConfigOption<Double> PARTITION_SHARE = ConfigOptions.key("jigsaw.partition.share")
            .doubleType().noDefaultValue()
            .withDescription("TaskManager option: this partition's share of its GPU in percent (its launcher sets "
                    + "CUDA_MPS_ACTIVE_THREAD_PERCENTAGE to it).");

    // The planner sidecar (bin/jigsaw planner, and inside the demo).

    public static final ConfigOption<Double> PLANNER_HEADROOM = ConfigOptions.key("jigsaw.planner.headroom")
            .doubleType().defaultValue(0.25)
            .withDescription("Plans are made for the demand estimate times (1 + headroom).");

    public static final ConfigOption<Double> PLANNER_SHRINK = ConfigOptions.key("jigsaw.planner.shrink")
            .doubleType().defaultValue(0.3)
            .withDescription("A smaller plan replaces the one in force only when it is planned for this much less demand.");

    public static final ConfigOption<Duration> PLANNER_DOWN_COOLDOWN = ConfigOptions.key("jigsaw.planner.down-cooldown")
            .durationType().defaultValue(Duration.ofSeconds(20))
            .withDescription("Least time between a plan and a smaller one (growing is never delayed).");

    public static final ConfigOption<Duration> PARTITIONS_PAUSE_ESTIMATE = ConfigOptions.key("jigsaw.partitions.pause-estimate")
            .durationType().defaultValue(Duration.ofSeconds(30))
            .withDescription("On a cluster whose TaskManagers are partitions: what moving the job onto a plan's new partitions is "
                    + "expected to cost (no service from the stop with a savepoint until the resumed job runs) before the first "
                    + "move has been measured; each move's measured pause replaces it. A smaller plan is moved to only when the "
                    + "GPU share it frees outweighs this pause over jigsaw.planner.down-cooldown (RepartitionRule).");

    public static final ConfigOption<Duration> PLANNER_SMOOTHING = ConfigOptions.key("jigsaw.planner.smoothing")
            .durationType().defaultValue(Duration.ofSeconds(3))
            .withDescription("Time constant of the demand estimate's exponential smoothing.");

    public static final ConfigOption<Duration> PLANNER_TICK = ConfigOptions.key("jigsaw.planner.tick")
            .durationType().defaultValue(Duration.ofSeconds(1))
            .withDescription("How often the sidecar checks the estimate against the plan's band.");

    public static final ConfigOption<Double> PLANNER_INITIAL_DEMAND = ConfigOptions.key("jigsaw.planner.initial-demand")
            .doubleType().defaultValue(1.0)
            .withDescription("Requests per second the first plan is made for, before any telemetry (none if a plan is in force).");

    /** Which accuracy the planner sidecar plans with: the variants' offline (test split) figure or the one measured live. */
    public enum AccuracySource { OFFLINE, MEASURED }

    public static final ConfigOption<AccuracySource> PLANNER_ACCURACY_SOURCE = ConfigOptions.key("jigsaw.planner.accuracy-source")
            .enumType(AccuracySource.class).defaultValue(AccuracySource.OFFLINE)
            .withDescription("offline: plan with each variant's accuracy from accuracy.csv (or the graph); measured: once a variant "
                    + "has served 100 requests that carried their truth, plan with its accuracy measured on them (smoothed), "
                    + "and re-plan when it moves far from what the plan in force assumed.");

    public static final ConfigOption<Duration> PLANNER_SOLVE_LIMIT = ConfigOptions.key("jigsaw.planner.solve-limit")
            .durationType().defaultValue(Duration.ofSeconds(2))
            .withDescription("Longest one re-plan may take.");

    public static final ConfigOption<Duration> PLANNER_RESULT_DELIVERY = ConfigOptions.key("jigsaw.planner.result-delivery")
            .durationType().defaultValue(Duration.ofMillis(15))
            .withDescription("What the way from a result's assembly to a consumer's read adds beside any commit wait (the results "
                    + "sink's write, the consumer's fetch): part of the latency budget the planner keeps back, so that the plan "
                    + "meets the SLO where the client reads. Measured p99 12 ms on the 2-core dev machine.");

    /**
     * Calibrated by CapacityBench on the demo graph, 2-core dev machine, 2026-11-30: the real job (two replica slots,
     * DJL models, the load generator and reader in its JVM, the broker) at the rate claimed, less the plan's models in
     * the planner's model (calibrations gave 3.67 at 212 req/s, 3.07 at 300, 3.28 at 360). The no-op FrameworkBench,
     * which this default was before, gave 2.8 with one slot and 1.07 with two: it leaves out what a real model's
     * batch costs around it and the load generator, and its plans put the capacity too high (measured/planned 0.68-0.87).
     */
    static final double FRAMEWORK_CPU_MS_MEASURED = 3.3;

    /** The same calibration's cores busy with no request sent (this JVM and the broker): 0.07 and 0.09 in two runs. */
    static final double FRAMEWORK_IDLE_CORES_MEASURED = 0.09;

    public static final ConfigOption<Double> PLANNER_FRAMEWORK_CPU_MS = ConfigOptions.key("jigsaw.planner.framework-cpu-ms")
            .doubleType().defaultValue(FRAMEWORK_CPU_MS_MEASURED)
            .withDescription("CPU milliseconds the serving framework itself spends per request (Kafka clients, Avro, Flink's hops "
                    + "and state, the broker), on the cores the models use when they run on the CPU: the planner keeps that much "
                    + "of a CPU device free at the demand it plans for. No effect on GPU profiles. Default: calibrated by "
                    + "`./mvnw -pl bench exec:exec@capacity` on the demo graph (2-core dev machine); calibrate it on the machine that serves.");

    public static final ConfigOption<Double> PLANNER_FRAMEWORK_IDLE_CORES = ConfigOptions.key("jigsaw.planner.framework-idle-cores")
            .doubleType().defaultValue(FRAMEWORK_IDLE_CORES_MEASURED)
            .withDescription("CPU cores the serving framework keeps busy with no request at all (sources and clients polling, the "
                    + "broker, timers, checkpoints, metrics) on the cores the models use: the planner keeps that much of each CPU device "
                    + "free beside jigsaw.planner.framework-cpu-ms per request. No effect on GPU profiles. Default: calibrated with "
                    + "it by `./mvnw -pl bench exec:exec@capacity` (2-core dev machine).");

    public static final ConfigOption<AdaptationMode> PLANNER_ADAPT = ConfigOptions.key("jigsaw.planner.adapt")
            .enumType(AdaptationMode.class).defaultValue(AdaptationMode.NONE)
            .withDescription("Per-request adaptation the sidecar adds to each plan, inside its partitions: NONE (the plan's variant "
                    + "serves every piece), LADDER (each batch runs the most accurate variant its tightest piece's slack allows), "
                    + "CASCADE (a cheaper variant first, low-confidence pieces again on a larger one; threshold from the "
                    + "validation confidences, confidence.csv) or BOTH. docs/planning.md, Per-request adaptation.");

    /**
     * How much of the latency SLO the planner keeps back for delivery: the commit wait under exactly_once
     * (a result assembled just after a checkpoint waits a whole interval) plus the way to the consumer. The
     * planner plans the graph to the SLO minus this, so that the SLO holds as the client sees it.
     */
    public static Duration deliveryAllowance(Configuration conf) {
        Duration out = conf.get(PLANNER_RESULT_DELIVERY);
        return conf.get(DELIVERY).transactional() ? out.plus(conf.get(CHECKPOINT_INTERVAL)) : out;
    }

    private JigsawOptions() {
    }
}
