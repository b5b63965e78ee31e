package io.jigsaw.job.sidecar;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.plan.AdaptationMode;
import io.jigsaw.core.plan.Plan;
import io.jigsaw.core.plan.PlanAvro;
import io.jigsaw.core.plan.PlanValidator;
import io.jigsaw.job.JigsawOptions;
import io.jigsaw.job.kafka.AvroProducer;
import io.jigsaw.job.kafka.KafkaConnection;
import io.jigsaw.job.kafka.TopicReader;
import io.jigsaw.job.kafka.Topics;
import io.jigsaw.operators.DeadLetters;
import io.jigsaw.planner.adapt.PlanAdapter;
import io.jigsaw.planner.sim.ExpectedMix;
import io.jigsaw.planner.model.PlanningInstance;
import io.jigsaw.planner.online.DemandEstimator;
import io.jigsaw.planner.online.ReplanRule;
import io.jigsaw.planner.online.Replanner;
import io.jigsaw.planner.solver.PlanSolver;
import io.jigsaw.planner.solver.SolverSettings;
import io.jigsaw.schemas.Telemetry;
import org.apache.flink.configuration.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The planner sidecar for one graph: reads the root task's {@code telemetry}, keeps a smoothed
 * demand estimate, and publishes a new plan to {@code plans} whenever the estimate leaves the plan's
 * safe band ({@link Replanner}); every task's telemetry also says how many pieces each variant sent
 * each child, and once enough are seen the sidecar plans with that observed fan-out instead of the
 * graph's declared one (and re-plans when it moves far from what the plan in force assumed). It holds nothing the job needs: operators keep the last plan they
 * received in broadcast state, so the job serves on if the sidecar dies, and a restarted sidecar
 * continues the version numbers it finds on {@code plans}.
 */
public final class PlannerSidecar implements Runnable, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PlannerSidecar.class);
    private static final String BY = "planner sidecar";

    private final Graph graph;
    private final Replanner replanner;
    private final KafkaConnection kafka;
    private final Topics topics;
    private final Configuration conf;
    private final Consumer<String> events;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final String rootTask;
    /** Adds the per-request adaptation asked for (jigsaw.planner.adapt) to each plan. */
    private final PlanAdapter adapter;
    private volatile Plan inForce;
    /** Enacts partitions and replica counts of the plans this sidecar publishes (a cluster's repartitioner); null: none. */
    private volatile Consumer<Plan> enactor;
    private long version;
    /** Per version this sidecar published: when the tick that decided it began (wall ms). */
    private final java.util.Map<Long, Long> decidedAtMs = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * @param template what to plan on (graph, profile, GPUs, policy); its demand is replaced
     * @param events one line per decision (the demo prints them); also logged
     */
    public PlannerSidecar(PlanningInstance template, Configuration conf, Consumer<String> events) {
        this.graph = template.graph();
        // The plan's budgets add up to what is left of the SLO once the result has reached its consumer.
        template = withinDeliveredSlo(template, conf);
        this.conf = conf;
        this.kafka = KafkaConnection.from(conf);
        this.topics = Topics.from(conf);
        this.events = events;
        this.rootTask = graph.tasks().get(0).name();
        this.adapter = PlanAdapter.of(conf.get(JigsawOptions.PLANNER_ADAPT), graph);
        Duration limit = conf.get(JigsawOptions.PLANNER_SOLVE_LIMIT);
        PlanSolver solver = new PlanSolver(SolverSettings.defaults().withLimits(limit,
                Duration.ofMillis(Math.min(300, limit.toMillis()))));
        this.replanner = new Replanner(template, solver::solve,
                new ReplanRule(conf.get(JigsawOptions.PLANNER_HEADROOM), conf.get(JigsawOptions.PLANNER_SHRINK),
                        conf.get(JigsawOptions.PLANNER_DOWN_COOLDOWN), 1.0),
                DemandEstimator.forTelemetry(conf.get(JigsawOptions.TELEMETRY_INTERVAL), conf.get(JigsawOptions.PLANNER_SMOOTHING)));
        if (conf.get(JigsawOptions.PLANNER_ACCURACY_SOURCE) == JigsawOptions.AccuracySource.MEASURED) {
            replanner.useMeasuredAccuracy();
        }
    }

    /** The instance with the graph's latency SLO less {@link JigsawOptions#deliveryAllowance}; refused if nothing is left. */
    public static PlanningInstance withinDeliveredSlo(PlanningInstance instance, Configuration conf) {
        double allowanceMs = JigsawOptions.deliveryAllowance(conf).toMillis();
        double slo = instance.graph().latencySloMs();
        if (slo <= allowanceMs) {
            throw new IllegalArgumentException("the latency SLO of " + instance.graph().name() + " (" + slo + " ms) leaves nothing for "
                    + "the graph once delivery takes its " + allowanceMs + " ms (" + conf.get(JigsawOptions.DELIVERY).name()
                    .toLowerCase(java.util.Locale.ROOT) + ", checkpoint interval " + conf.get(JigsawOptions.CHECKPOINT_INTERVAL)
                    .toMillis() + " ms): shorten the checkpoint interval or choose idempotent delivery");
        }
        return instance.withGraph(instance.graph().withLatencySlo(slo - allowanceMs));
    }

    /**
     * Hands each plan this sidecar publishes, once it is on the plans topic, to what enacts its partitions and replica
     * counts on the cluster (a {@code Repartitioner}); without one a plan's replicas beyond jigsaw.replica-slots are said
     * not to serve.
     */
    public PlannerSidecar enactedBy(Consumer<Plan> partitions) {
        this.enactor = partitions;
        return this;
    }

    /** The last plan published on {@code plans} for this graph, by anyone; null before the first. */
    public Plan inForce() {
        return inForce;
    }

    /**
     * When the decision to publish {@code version} was taken (wall ms: the tick whose demand estimate asked for it,
     * before the solve); empty for a version this sidecar did not publish. A plan switch's delay is measured from here.
     */
    public java.util.OptionalLong decidedAtMs(long version) {
        Long at = decidedAtMs.get(version);
        return at == null ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(at);
    }

    @Override
    public void run() {
        try (AvroProducer producer = new AvroProducer(kafka);
             TopicReader<io.jigsaw.schemas.Plan> plans = new TopicReader<>(kafka, topics.plans(), io.jigsaw.schemas.Plan.class, false);
             TopicReader<Telemetry> telemetry = new TopicReader<>(kafka, topics.telemetry(), Telemetry.class, true)) {
            // Anyone can write to these topics: a record that is not ours is said and skipped, never our end.
            plans.onSkip(this::say);
            telemetry.onSkip(this::say);
            for (io.jigsaw.schemas.Plan p : plans.readToEnd(Duration.ofSeconds(30))) {
                if (p.getGraph().equals(graph.name()) && (inForce == null || p.getVersion() > inForce.version())) {
                    // Only a plan the job would accept is in force: it rejects the others (validate-plans), so must we.
                    Plan read;
                    List<String> problems;
                    try {
                        read = PlanAvro.fromAvro(p);
                        problems = PlanValidator.problems(read, graph);
                    } catch (RuntimeException e) {
                        read = null;
                        problems = List.of(e.toString());
                    }
                    if (problems.isEmpty()) {
                        inForce = read;
                    } else {
                        say("skipped plan v" + p.getVersion() + " by " + DeadLetters.cut(p.getCreatedBy(), 100)
                                + " on the plans topic, which the job rejects too: " + DeadLetters.cut(String.join("; ", problems), 500));
                    }
                }
            }
            if (inForce == null) {
                long now = System.currentTimeMillis();
                apply(replanner.start(conf.get(JigsawOptions.PLANNER_INITIAL_DEMAND), now), producer, now);
            } else {
                version = inForce.version();
                say("plan v" + version + " (" + inForce.createdBy() + ") in force; re-planning from the first telemetry");
            }
            long tickMs = conf.get(JigsawOptions.PLANNER_TICK).toMillis();
            long nextTick = System.currentTimeMillis() + tickMs;
            while (!closed.get()) {
                for (Telemetry t : telemetry.poll(Duration.ofMillis(Math.max(10, Math.min(200, tickMs))))) {
                    if (!t.getGraph().equals(graph.name())) {
                        continue;
                    }
                    if (t.getTask().equals(rootTask)) {
                        replanner.observe(t.getReplica(), t.getWindowEndMs(), t.getWindowMs(), t.getArrivals());
                    }
                    // What each variant really sends its children (objects found): the planner's fan-out once trusted.
                    t.getFanout().forEach(f -> replanner.observeFanout(t.getTask(), f.getVariant(), f.getChild(), f.getPiecesIn(),
                            f.getPiecesOut()));
                    // The assembler's scores on requests with truth: each variant's accuracy as measured live.
                    t.getScores().forEach(sc -> replanner.observeAccuracy(sc.getTask(), sc.getVariant(), sc.getScored(), sc.getScoreSum()));
                }
                long now = System.currentTimeMillis();
                if (now >= nextTick) {
                    nextTick = now + tickMs;
                    replanner.tick(now).ifPresent(d -> apply(d, producer, now));
                }
            }
        } catch (org.apache.kafka.common.errors.InterruptException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // The job does not need us to serve; say why we stopped and let the caller decide.
            LOG.error("planner sidecar for {} stopped", graph.name(), e);
            say("stopped: " + e);
            throw e;
        }
    }

    private void apply(Replanner.Decision d, AvroProducer producer, long decidedMs) {
        Plan next;
        if (d.hasPlan()) {
            Plan p = adapter.adapt(d.solved().toPlan(version + 1, BY), d.solved());
            if (adapter.mode() != AdaptationMode.NONE) {
                // What the adaptation is expected to do to accuracy at this demand: the plan's own figure assumes its variants.
                p = new Plan(p.graph(), p.version(), p.createdBy(), p.note() + "; " + ExpectedMix.of(d.solved(), adapter).describe(), p.tasks());
            }
            next = new Plan(p.graph(), p.version(), BY, d.reason() + "; " + p.note(), p.tasks());
        } else if (inForce != null) {
            // Everyone reading 'plans' learns that demand outgrew what can be planned; operators keep serving as before.
            next = new Plan(inForce.graph(), version + 1, BY, d.reason(), inForce.tasks());
        } else {
            say(d.reason());
            return;
        }
        try {
            producer.send(topics.plans(), next.graph(), PlanAvro.toAvro(next)).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            say("could not publish plan v" + next.version() + ": " + e);
            return;
        }
        version = next.version();
        decidedAtMs.put(version, decidedMs);
        inForce = next;
        say("published plan v" + next.version() + " — " + d.reason() + " — " + describe(next));
        Consumer<Plan> partitions = enactor;
        if (partitions != null) {
            partitions.accept(next);
        } else {
            String beyond = replicasBeyondSlots(next, conf.get(JigsawOptions.REPLICA_SLOTS));
            if (!beyond.isEmpty()) {
                say("warning: " + beyond);
            }
        }
    }

    /**
     * Replicas are the job's operator subtasks: a plan can activate at most {@code jigsaw.replica-slots}
     * of them live, more need a rescale. Said out loud, since the extra partitions would silently not run.
     */
    static String replicasBeyondSlots(Plan plan, int slots) {
        StringBuilder b = new StringBuilder();
        plan.tasks().stream().filter(t -> t.replicas() > slots).forEach(t -> b.append(b.length() == 0 ? "" : "; ")
                .append("task ").append(t.task()).append(" is planned ").append(t.replicas()).append(" replicas"));
        return b.length() == 0 ? "" : b + " but the job runs " + slots + " per task (jigsaw.replica-slots): only " + slots
                + " serve until the job is rescaled with more slots";
    }

    private void say(String line) {
        LOG.info("{}", line);
        events.accept(line);
    }

    /** One line per plan: variant, batch and replicas per task. */
    public static String describe(Plan p) {
        StringBuilder b = new StringBuilder("[");
        p.tasks().forEach(t -> b.append(t.variant()).append(" b").append(t.batchSize()).append(" x").append(t.replicas()).append(", "));
        b.setLength(Math.max(1, b.length() - 2));
        return b.append(']').toString();
    }

    @Override
    public void close() {
        closed.set(true);
    }
}
