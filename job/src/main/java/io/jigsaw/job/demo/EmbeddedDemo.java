package io.jigsaw.job.demo;

import io.jigsaw.core.graph.Combinations;
import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.GraphLoader;
import io.jigsaw.core.graph.TensorSpec;
import io.jigsaw.core.graph.Variant;
import io.jigsaw.core.input.InputException;
import io.jigsaw.core.plan.Plan;
import io.jigsaw.core.plan.PlanAvro;
import io.jigsaw.core.plan.PlanFile;
import io.jigsaw.core.plan.PlanValidator;
import io.jigsaw.core.plan.TaskPlan;
import io.jigsaw.core.scene.SceneScoring;
import io.jigsaw.core.stats.DoubleSeries;
import io.jigsaw.core.stats.Percentiles;
import io.jigsaw.core.trace.Trace;
import io.jigsaw.job.JigsawOptions;
import io.jigsaw.job.LoopbackPorts;
import io.jigsaw.job.broker.KafkaCluster;
import io.jigsaw.job.client.Frames;
import io.jigsaw.job.cluster.BuildOutputs;
import io.jigsaw.job.cluster.ClusterLayout;
import io.jigsaw.job.cluster.FlinkRest;
import io.jigsaw.job.cluster.InProcessCluster;
import io.jigsaw.job.cluster.LocalCluster;
import io.jigsaw.job.cluster.PartitionManager;
import io.jigsaw.job.cluster.Repartitioner;
import io.jigsaw.planner.online.RepartitionRule;
import io.jigsaw.job.kafka.AvroProducer;
import io.jigsaw.job.kafka.DistinctResults;
import io.jigsaw.job.kafka.TopicReader;
import io.jigsaw.job.kafka.Topics;
import io.jigsaw.job.models.ModelCache;
import io.jigsaw.job.replay.TraceReplayer;
import io.jigsaw.job.report.DemoSummary;
import io.jigsaw.job.report.ResultStats;
import io.jigsaw.job.sidecar.PlannerSidecar;
import io.jigsaw.job.topology.JigsawJob;
import io.jigsaw.operators.Scorer;
import io.jigsaw.planner.model.PlanningInstance;
import io.jigsaw.runtime.DjlVariantRunner;
import io.jigsaw.runtime.SavedModelSignatures;
import io.jigsaw.schemas.DeadLetter;
import io.jigsaw.schemas.Result;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * {@code jigsaw demo}: everything in one process tree on 127.0.0.1 — a KRaft broker (own JVM), the
 * topics, the models, a Flink MiniCluster with its web dashboard running {@link JigsawJob}, and a
 * Poisson trace with a step up and down replayed into {@code requests}, planned live by the
 * {@link PlannerSidecar} from the job's telemetry and the graph's measured profile (or one static
 * plan file, without sidecar). Progress on stderr, the summary on stdout.
 */
public final class EmbeddedDemo {

    /**
     * What the user chose on the command line.
     *
     * @param planFile a static plan instead of the sidecar; null: the sidecar plans
     * @param planning what the sidecar plans on (graph, profile, GPUs, policy); unused with a plan file
     * @param solveLimit longest one re-plan of the sidecar may take
     * @param home the checkout: flink-conf/, the build's job jar; the demo works in its .jigsaw/demo
     * @param chaos inject faults while the trace plays ({@link Chaos})
     * @param accuracySource what the sidecar plans with: the offline accuracies or the ones measured live
     * @param kafkaBrokers KRaft brokers to start: 1, or 3 for replicated topics ({@link KafkaCluster})
     * @param localCluster run on a multi-process {@link LocalCluster} (one TaskManager per partition of the
     *        first plan, the job jar submitted over REST) instead of an in-process MiniCluster
     */
    public record Settings(Path graphFile, Path planFile, PlanningInstance planning, Duration solveLimit, Trace trace, long seed,
            int replicaSlots, int webPort, Path home, int warmup, JigsawOptions.Delivery delivery, Duration checkpointInterval,
            boolean chaos, boolean earlyDrop, boolean localCluster, JigsawOptions.AccuracySource accuracySource,
            io.jigsaw.core.plan.AdaptationMode adapt, int kafkaBrokers, io.jigsaw.job.client.Frames.Encoding frames) {

        /** As before pictures: frames sent as the graph's tensors. */
        public Settings(Path graphFile, Path planFile, PlanningInstance planning, Duration solveLimit, Trace trace, long seed,
                int replicaSlots, int webPort, Path home, int warmup, JigsawOptions.Delivery delivery, Duration checkpointInterval,
                boolean chaos, boolean earlyDrop, boolean localCluster, JigsawOptions.AccuracySource accuracySource,
                io.jigsaw.core.plan.AdaptationMode adapt, int kafkaBrokers) {
            this(graphFile, planFile, planning, solveLimit, trace, seed, replicaSlots, webPort, home, warmup, delivery, checkpointInterval,
                    chaos, earlyDrop, localCluster, accuracySource, adapt, kafkaBrokers, io.jigsaw.job.client.Frames.Encoding.RAW);
        }
    }

    private static final long TIMELINE_BIN_MS = 5_000;

    private final Settings s;
    private final PrintStream progress;
    private final PrintStream out;
    private final AtomicBoolean stopped = new AtomicBoolean();
    private KafkaCluster broker;
    private MiniCluster cluster;
    private LocalCluster localCluster;
    private FlinkRest rest;
    private String jobId;
    /** On a local cluster: keeps its TaskManagers the partitions of the plan that runs, and moves the job between them. */
    private PartitionManager partitions;
    private Repartitioner repartitioner;

    /** The job serving now: a move onto new partitions resubmits it under a new id. */
    private String jobId() {
        return partitions != null ? partitions.jobId() : jobId;
    }
    /** Where the job ran: a MiniCluster here, or a local cluster with how long it took to start and where tasks went. */
    private record ClusterFacts(String name, Double registeredS, Double runningS, Map<String, List<String>> placement) {
    }

    private ClusterFacts where;
    private PlannerSidecar sidecar;

    public EmbeddedDemo(Settings settings, PrintStream progress, PrintStream out) {
        this.s = settings;
        this.progress = progress;
        this.out = out;
    }

    /** @return the summary, also printed */
    public DemoSummary run(boolean json) throws Exception {
        Thread hook = new Thread(this::stop, "demo-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return serve(json);
        } finally {
            stop();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the hook is running already.
            }
        }
    }

    private DemoSummary serve(boolean json) throws Exception {
        Graph loaded = GraphLoader.load(s.graphFile());
        // --latency-slo reaches the demo through the sidecar's planning instance; the job gets it as a config option.
        Graph graph = s.planning() == null ? loaded : loaded.withLatencySlo(s.planning().graph().latencySloMs());
        TensorSpec spec = graph.input().orElseThrow(() -> new InputException(s.graphFile(), "input",
                "the demo needs the graph's input spec to make frames"));
        Plan fixed = s.planFile() == null ? null : PlanValidator.requireValid(PlanFile.read(s.planFile()), graph, s.planFile());

        List<String> missing = ModelCache.missing(graph);
        if (!missing.isEmpty()) {
            progress.println("[demo] building " + missing.size() + " missing model(s) " + missing + " (synthetic demo models)");
            ModelCache.build(s.graphFile());
        }
        // Before anything starts: every model must take what the graph feeds it and give what its children read.
        SavedModelSignatures.check(graph);

        Path workDir = s.home().resolve(".jigsaw/demo");
        Files.createDirectories(workDir);
        Path kafkaDir = Files.createTempDirectory(workDir, "kafka-");
        progress.println(s.kafkaBrokers() == 1
                ? "[demo] starting a KRaft Kafka broker on 127.0.0.1 (log: " + kafkaDir.resolve("broker.out") + ")"
                : "[demo] starting " + s.kafkaBrokers() + " KRaft Kafka brokers on 127.0.0.1, topics replicated "
                        + Topics.replicationFactor(s.kafkaBrokers()) + " times (logs: " + kafkaDir + "/node-*/broker.out)");
        long t0 = System.nanoTime();
        broker = KafkaCluster.start(kafkaDir, s.kafkaBrokers(), Duration.ofSeconds(120));
        progress.printf("[demo] broker up at %s in %.1f s%n", broker.bootstrap(), (System.nanoTime() - t0) / 1e9);

        Configuration conf = new Configuration();
        conf.set(JigsawOptions.BOOTSTRAP, broker.bootstrap());
        conf.set(JigsawOptions.REPLICA_SLOTS, s.replicaSlots());
        conf.set(JigsawOptions.LATENCY_SLO_MS, graph.latencySloMs());
        conf.set(JigsawOptions.PLANNER_INITIAL_DEMAND, Math.max(1, s.trace().openingRateRps()));
        conf.set(JigsawOptions.PLANNER_SOLVE_LIMIT, s.solveLimit());
        // A short demo: let a smaller plan follow the step down within the run.
        conf.set(JigsawOptions.PLANNER_DOWN_COOLDOWN, Duration.ofSeconds(10));
        conf.set(JigsawOptions.DELIVERY, s.delivery());
        conf.set(JigsawOptions.CHECKPOINT_INTERVAL, s.checkpointInterval());
        conf.set(JigsawOptions.EARLY_DROP, s.earlyDrop());
        conf.set(JigsawOptions.PLANNER_ACCURACY_SOURCE, s.accuracySource());
        conf.set(JigsawOptions.PLANNER_ADAPT, s.adapt());
        Topics topics = Topics.from(conf);
        topics.create(broker.bootstrap(), s.replicaSlots());

        int webPort = s.webPort() > 0 ? s.webPort() : LoopbackPorts.free();
        String dashboard = "http://127.0.0.1:" + webPort;
        rest = new FlinkRest(dashboard);
        if (!s.localCluster()) {
            startMiniCluster(webPort);
        }

        try (AvroProducer producer = new AvroProducer(broker.bootstrap()).named("demo");
             DistinctResults results = new DistinctResults(new TopicReader<>(broker.bootstrap(), topics.results(), Result.class));
             TopicReader<DeadLetter> deadLetters = new TopicReader<>(broker.bootstrap(), topics.deadLetters(), DeadLetter.class)) {
            AtomicReference<Plan> current = new AtomicReference<>(fixed);
            if (fixed != null) {
                producer.send(topics.plans(), graph.name(), PlanAvro.toAvro(fixed)).get();
                progress.println("[demo] static plan v" + fixed.version() + " from " + s.planFile() + " (no planner sidecar)");
            } else {
                startSidecar(conf, current);
            }
            if (s.localCluster()) {
                submitToLocalCluster(current.get(), conf, webPort);
            } else {
                // Submitted through the cluster's REST API, as to any session cluster (the classes are on its classpath).
                StreamExecutionEnvironment env = StreamExecutionEnvironment.createRemoteEnvironment("127.0.0.1", webPort, new Configuration());
                env.setParallelism(s.replicaSlots());
                JigsawJob.build(env, graph, conf, DjlVariantRunner.factory());
                jobId = env.executeAsync("jigsaw: " + graph.name()).getJobID().toString();
                rest.awaitRunning(jobId, Duration.ofSeconds(120));
            }
            progress.println("[demo] Flink job running; dashboard: " + dashboard);

            ResultStats warm = new ResultStats();
            long now = System.currentTimeMillis();
            for (int i = 0; i < s.warmup(); i++) {
                producer.send(topics.requests(), "warmup-" + i, Frames.scenesFit(spec)
                        ? Frames.scene("warmup-" + i, graph.name(), spec, now, now + 60_000, -1 - i)
                        : Frames.request("warmup-" + i, graph.name(), spec, now, now + 60_000, -1 - i));
            }
            long warmUntil = System.currentTimeMillis() + 120_000;
            while (warm.answered() < s.warmup() && System.currentTimeMillis() < warmUntil) {
                results.poll(Duration.ofMillis(200)).forEach(warm::add);
            }
            progress.printf("[demo] warm-up: %d request(s) answered (not counted below)%n", warm.answered());

            return replay(graph, spec, current, producer, results, deadLetters, topics, dashboard, json);
        }
    }

    private void startMiniCluster(int webPort) throws Exception {
        Configuration flink = InProcessCluster.loopbackOnly(new Configuration());
        flink.set(RestOptions.PORT, webPort);
        flink.set(MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL, Duration.ofSeconds(1));
        InProcessCluster.checkpointsOnDisk(flink, s.home().resolve(".jigsaw/demo/checkpoints"));
        // One TaskManager holds every replica; with --chaos one per replica slot, so killing one hits the job.
        int taskManagers = s.chaos() ? s.replicaSlots() : 1;
        cluster = new MiniCluster(new MiniClusterConfiguration.Builder().setConfiguration(flink)
                .setNumTaskManagers(taskManagers).setNumSlotsPerTaskManager(s.replicaSlots() / taskManagers).build());
        cluster.start();
        where = new ClusterFacts("minicluster (in this JVM, " + taskManagers + " TaskManager(s))", null, null, null);
    }

    /**
     * Starts one TaskManager per partition of the plan in force and has the cluster run the job jar
     * (REST: upload, then run its entry class), its operators pinned to their partitions.
     */
    private void submitToLocalCluster(Plan plan, Configuration conf, int webPort) throws Exception {
        ClusterLayout layout = ClusterLayout.perPartition(plan, s.replicaSlots());
        long t0 = System.nanoTime();
        progress.println("[demo] starting a local Flink cluster: a JobManager and " + layout.taskManagers().size()
                + " TaskManagers (one per partition of plan v" + plan.version() + ", one for Kafka and joins)");
        localCluster = LocalCluster.start(layout, LocalCluster.Settings.ofCheckout(s.home(),
                s.home().resolve(".jigsaw/demo/cluster"), webPort, "1024m"), Duration.ofSeconds(240), progress);
        double registered = (System.nanoTime() - t0) / 1e9;
        List<String> args = new java.util.ArrayList<>(List.of("--graph", s.graphFile().toAbsolutePath().toString()));
        Configuration job = new Configuration(conf);
        job.set(JigsawOptions.PIN_TO_PARTITIONS, true);
        job.toMap().forEach((k, v) -> args.add("-D" + k + "=" + v));
        java.util.function.Consumer<String> say = line -> progress.println("[partitions] " + line);
        partitions = new PartitionManager(localCluster, new PartitionManager.Submission(BuildOutputs.jobJar(s.home()),
                "io.jigsaw.job.cli.JobMain", args), s.replicaSlots(), Duration.ofSeconds(240), say);
        partitions.submit(plan);
        if (sidecar != null) {
            // The sidecar's plans move the job onto their partitions when the rule says so; one it published meanwhile is weighed now.
            repartitioner = new Repartitioner(partitions, new RepartitionRule(conf.get(JigsawOptions.PLANNER_DOWN_COOLDOWN)),
                    conf.get(JigsawOptions.PARTITIONS_PAUSE_ESTIMATE), say);
            sidecar.enactedBy(repartitioner::published);
            repartitioner.published(sidecar.inForce());
        }
        double running = (System.nanoTime() - t0) / 1e9;
        progress.printf("[demo] local cluster: TaskManagers registered after %.1f s, job running after %.1f s%n", registered, running);
        where = new ClusterFacts("local (separate processes: 1 JobManager, " + layout.taskManagers().size() + " TaskManagers)",
                Math.round(registered * 10) / 10.0, Math.round(running * 10) / 10.0, rest.placement(jobId()));
    }

    /** Percent of all GPUs (the sidecar's; a plan file's: those it names) a plan's partitions hold. */
    private double sharePct(Plan plan) {
        double share = 0;
        int gpus = s.planning() == null ? 1 : s.planning().gpus();
        for (TaskPlan t : plan.tasks()) {
            for (io.jigsaw.core.plan.Partition p : t.partitions()) {
                share += p.share();
                gpus = Math.max(gpus, p.gpu() + 1);
            }
        }
        return share / gpus;
    }

    private void startSidecar(Configuration conf, AtomicReference<Plan> current) throws InterruptedException {
        sidecar = new PlannerSidecar(s.planning(), conf, line -> {
            progress.println("[planner] " + line);
            current.set(sidecar.inForce());
        });
        Thread t = new Thread(sidecar, "planner-sidecar");
        t.setDaemon(true);
        t.start();
        long until = System.currentTimeMillis() + 60_000;
        while (sidecar.inForce() == null && t.isAlive() && System.currentTimeMillis() < until) {
            Thread.sleep(100);
        }
        if (sidecar.inForce() == null) {
            throw new IllegalStateException("the planner sidecar published no first plan (see the [planner] lines above)");
        }
        current.set(sidecar.inForce());
    }

    /** The units of accuracy_planned and accuracy_measured, in words. */
    private static String accuracyUnits(Graph graph) {
        return "end-to-end accuracy, 0..1: " + SceneScoring.endToEndText(graph) + "; task scores in task_metrics' units"
                + (graph.measuredCombinations().isPresent() ? "" : " (accuracy_planned: relative, see note)");
    }

    private DemoSummary replay(Graph graph, TensorSpec spec, AtomicReference<Plan> current, AvroProducer producer,
            DistinctResults results, TopicReader<DeadLetter> deadLetters, Topics topics, String dashboard, boolean json)
            throws Exception {
        progress.println("[demo] replaying " + s.trace());
        ResultStats stats = new ResultStats(graph.latencySloMs());
        ObjectStats objects = new ObjectStats(graph);
        AccuracyStats accuracy = new AccuracyStats(new Scorer(graph), graph.measuredCombinations().orElse(null));
        AtomicLong sent = new AtomicLong();
        AtomicLong dead = new AtomicLong();
        long firstVersion = current.get().version();
        long start = System.currentTimeMillis();
        long cpuStart = cpuNanos();
        long startNanos = System.nanoTime();
        // Synthetic XR scenes with their truth where the graph takes them: every answer is scored.
        String ownIds = "demo-" + s.seed() + "-";
        TraceReplayer replayer = new TraceReplayer(producer, topics.requests(), List.of(graph), new double[] {1}, ownIds, true)
                .withFrames(s.frames());
        Thread sender = new Thread(() -> {
            try {
                sent.set(replayer.replay(s.trace(), 1, 1, s.seed(), stopped::get, (n, total) -> sent.set(n)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "demo-replay");
        sender.start();
        Chaos chaos = null;
        if (s.chaos()) {
            chaos = new Chaos(cluster, broker, sidecar, (long) s.trace().durationMs(), progress, stopped::get);
            Thread t = new Thread(chaos, "demo-chaos");
            t.setDaemon(true);
            t.start();
        }
        // From a result's assembly to this consumer reading it: Kafka, and under exactly-once the wait for
        // the checkpoint that commits it. The client's latency (event time to read) is in stats.
        DoubleSeries visibleAfter = new DoubleSeries();
        // Per 5 s of the trace (by the request's event time): answered, and answered within the SLO (goodput).
        Map<Long, long[]> bins = new java.util.TreeMap<>();
        // Others may use the same broker and topics: only this run's requests count (a late warm-up result is not foreign).
        AtomicLong foreign = new AtomicLong();
        List<Long> droppedAt = new java.util.ArrayList<>();
        // Per plan version: when the first answer served under it (any of its tasks) was assembled.
        Map<Long, Long> firstServedMs = new java.util.TreeMap<>();
        java.util.function.Consumer<Result> take = r -> {
            if (!r.getRequestId().startsWith(ownIds)) {
                if (!r.getRequestId().startsWith("warmup-")) {
                    foreign.incrementAndGet();
                }
                return;
            }
            long readAt = System.currentTimeMillis();
            visibleAfter.add(readAt - r.getCompletedMs());
            if (!r.getDropped()) {
                firstServedMs.merge(r.getPlanVersion(), r.getCompletedMs(), Math::min);
            }
            if (stats.add(r, readAt)) {
                if (r.getDropped()) {
                    droppedAt.add(r.getEventTimeMs());
                }
                objects.add(r);
                accuracy.add(r);
                long[] bin = bins.computeIfAbsent(Math.max(0, r.getEventTimeMs() - start) / TIMELINE_BIN_MS * TIMELINE_BIN_MS / 1000,
                        k -> new long[2]);
                bin[0]++;
                bin[1] += r.getSloMet() ? 1 : 0;
            }
        };

        long lastPrint = 0;
        // The GPU share the plans in force hold, integrated over the replay (percent × ms).
        double shareIntegral = 0;
        long shareSince = System.currentTimeMillis();
        long graceMs = (long) graph.latencySloMs() + 15_000;
        long endBy = start + (long) s.trace().durationMs() + graceMs;
        while (!stopped.get() && System.currentTimeMillis() < endBy
                && (sender.isAlive() || stats.answered() < sent.get())) {
            results.poll(Duration.ofMillis(200)).forEach(take);
            dead.addAndGet(deadLetters.poll(Duration.ZERO).size());
            long now = System.currentTimeMillis();
            if (repartitioner != null && repartitioner.moving()) {
                // Requests wait in Kafka while the job moves: their answers (dropped or not) come after it.
                endBy = Math.max(endBy, now + graceMs);
            }
            if (sender.isAlive()) {
                // On a local cluster the share held is that of the partitions running, which a plan kept live may not match.
                shareIntegral += sharePct(partitions != null ? partitions.running() : current.get()) * (now - shareSince);
                shareSince = now;
            }
            if (now - lastPrint >= 2000) {
                lastPrint = now;
                progress.printf("[%3ds] sent %5d  answered %5d  dropped %4d  SLO seen by client %5.1f%%  p50 %4d  p99 %4d ms"
                                + " (assembled: %5.1f%%, p99 %4d ms)  %s%s%n",
                        (now - start) / 1000, sent.get(), stats.answered(), stats.dropped(), 100 * stats.visibleSloAttainment(),
                        stats.visiblePercentile(0.5), stats.visiblePercentile(0.99), 100 * stats.sloAttainment(),
                        stats.percentile(0.99), accuracy.scored() == 0 ? "" : String.format(Locale.ROOT,
                                "acc planned %.2f measured %.2f  ", accuracy.planned(), accuracy.measured()),
                        describe(current.get()));
            }
        }
        sender.join(5000);
        results.poll(Duration.ofSeconds(1)).forEach(take);
        double[] visible = visibleAfter.toArray();
        double wallNanos = System.nanoTime() - startNanos;
        double cores = (cpuNanos() - cpuStart) / wallNanos;

        double[] perHop = objects.perHop();
        // Says where this graph's planned accuracies came from, not where the demo graph's do.
        String sources = graph.tasks().stream().flatMap(t -> t.variants().stream()).filter(v -> !v.pseudo())
                .map(Variant::accuracySource).distinct().sorted().collect(Collectors.joining(", "));
        boolean scored = accuracy.scored() > 0;
        // Planned over the same requests as measured, where requests were scored.
        double planned = scored ? accuracy.planned() : stats.meanAccuracy();
        Optional<Combinations> combinations = graph.measuredCombinations();
        DemoSummary summary = new DemoSummary(
                graph.name(), sent.get(), stats.completed(), stats.dropped(), stats.dropsByReason(),
                Math.round(stats.visibleSloAttainment() * stats.answered() * 10_000.0 / s.trace().durationMs()) / 10.0,
                Math.round(10 * shareIntegral / Math.max(1, shareSince - start)) / 10.0,
                dead.get(), sent.get() - stats.completed() - stats.dropped(), stats.duplicates(), results.repeatsDropped(),
                foreign.get(), round(stats.visibleSloAttainment()), stats.visiblePercentile(0.5), stats.visiblePercentile(0.99),
                round(stats.sloAttainment()), stats.percentile(0.5), stats.percentile(0.99), round(planned),
                scored ? round(accuracy.measured()) : null, scored ? round(accuracy.fromTaskMeans()) : null, accuracy.scored(),
                accuracy.perPlan(), accuracy.taskScores(), accuracy.plannedTaskScores(), SceneScoring.metrics(graph), accuracyUnits(graph),
                combinations.map(c -> round(planned / c.best())).orElse(null), objects.objectsFound(), s.adapt().cliName, objects.servedByVariant(),
                objects.droppedAfterVariant(), objects.fanout(), round(perHop[0]), round(perHop[1]), objects.pathP50Ms(),
                s.delivery().name().toLowerCase(Locale.ROOT), s.checkpointInterval().toMillis(),
                // A local cluster's TaskManagers are other processes: their CPU is not counted here, so none is claimed.
                s.localCluster() ? null : round(cores),
                s.localCluster() || sent.get() == 0 ? null : round(cores * wallNanos / 1e6 / sent.get()),
                Percentiles.of(visible, visible.length, 0.5), Percentiles.of(visible, visible.length, 0.99), restarts(),
                bytesPerRequest(sent.get() + s.warmup()), where.name(), where.registeredS(), where.runningS(),
                placementAtEnd(), repartitions(graph, droppedAt, start),
                repartitioner == null ? null : repartitioner.moves().stream().mapToLong(PartitionManager.Move::pauseMs).sum(),
                repartitioner == null ? null : repartitioner.declined().stream().map(d -> "v" + d.version() + ": " + d.why()).toList(),
                s.earlyDrop(), s.accuracySource().name().toLowerCase(Locale.ROOT),
                bins.entrySet().stream().map(e -> new DemoSummary.TimelineBin(e.getKey(), e.getValue()[0],
                        e.getValue()[1] * 1000.0 / TIMELINE_BIN_MS)).toList(),
                chaos == null ? null : chaos.injected(), chaos == null ? null : chaos.droppedAround(droppedAt),
                chaos == null ? null : s.kafkaBrokers(), graph.latencySloMs(), current.get().version() - firstVersion + 1,
                planSwitches(firstVersion, current.get().version(), firstServedMs),
                sidecar != null ? "sidecar, policy " + s.planning().policy().cliName() : "static " + s.planFile(),
                s.warmup(), graph.tasks().stream().map(t -> t.name()).toList(), dashboard, objects.sample(),
                (combinations.isPresent()
                        ? "accuracy_planned: the end-to-end accuracy MEASURED offline for the combination of variants that served each request"
                        + " (combinations.csv, " + combinations.get().scenes() + " validation scenes); accuracy_planned_relative: that over the"
                        + " best combination's (" + round(combinations.get().best()) + "), what the SLO is a fraction of"
                        : "accuracy_planned: the path product of the variants' " + sources + " accuracies, each over its task's best"
                        + " (relative: not comparable with accuracy_measured; run `bin/jigsaw models` to measure the combinations)")
                        + "; accuracy_measured: scored live on the replayed scenes' truth; on CPU, shares are thread budgets; frames sent as "
                        + (s.frames() == io.jigsaw.job.client.Frames.Encoding.RAW ? "the graph's tensors" : s.frames().name() + " pictures"));

        progress.println("[demo] summary (counted after warm-up):");
        summary.fields().forEach((k, v) -> out.printf("  %-22s %s%n", k, v));
        if (json) {
            out.println(summary.toJson());
        }
        return summary;
    }

    /** Where the operators ran at the end: where the job was submitted, or where the last move put it. */
    private Map<String, List<String>> placementAtEnd() {
        if (repartitioner != null && !repartitioner.moves().isEmpty()) {
            return repartitioner.moves().get(repartitioner.moves().size() - 1).placementAfter();
        }
        return where.placement();
    }

    /** The moves onto new partitions during the run, with the drops around each; null without a repartitioner. */
    private List<DemoSummary.Repartition> repartitions(Graph graph, List<Long> droppedAt, long startMs) {
        if (repartitioner == null) {
            return null;
        }
        List<DemoSummary.Repartition> out = new java.util.ArrayList<>();
        for (PartitionManager.Move m : repartitioner.moves()) {
            long from = m.startedMs() - (long) graph.latencySloMs();
            long to = m.startedMs() + m.pauseMs();
            long dropped;
            synchronized (droppedAt) {
                dropped = droppedAt.stream().filter(t -> t >= from && t <= to).count();
            }
            out.add(new DemoSummary.Repartition(m.fromVersion(), m.toVersion(), m.why(), Math.round((m.startedMs() - startMs) / 100.0) / 10.0,
                    m.pauseMs(), m.savepointMs(), m.prepareMs(), m.started(), m.stopped(), tasksOnly(graph, m.placementBefore()),
                    tasksOnly(graph, m.placementAfter()), dropped));
        }
        return out;
    }

    private static Map<String, List<String>> tasksOnly(Graph graph, Map<String, List<String>> placement) {
        Map<String, List<String>> out = new java.util.LinkedHashMap<>();
        placement.forEach((op, tms) -> {
            if (graph.task(op).isPresent()) {
                out.put(op, tms.stream().sorted().toList());
            }
        });
        return out;
    }

    /**
     * Per plan the sidecar decided during the run: from its decision to the first answer assembled under it or a later
     * plan (a result carries the newest version any of its tasks ran under). Absent with a static plan.
     */
    private List<Long> planSwitches(long firstVersion, long lastVersion, Map<Long, Long> firstServedMs) {
        if (sidecar == null) {
            return null;
        }
        List<Long> out = new java.util.ArrayList<>();
        for (long v = firstVersion + 1; v <= lastVersion; v++) {
            java.util.OptionalLong decided = sidecar.decidedAtMs(v);
            long version = v;
            firstServedMs.entrySet().stream().filter(e -> e.getKey() >= version).mapToLong(Map.Entry::getValue).min()
                    .ifPresent(served -> decided.ifPresent(d -> out.add(Math.max(0, served - d))));
        }
        return out;
    }

    /** CPU time of this JVM (job, sidecar, replayer, reader) and the broker's process: what serving the trace costs. */
    private long cpuNanos() {
        return InProcessCluster.jvmCpuNanos() + broker.cpuTime().toNanos();
    }

    /** The job's restarts, from the cluster's REST API (see {@link FlinkRest#restarts}); -1 if it could not be read. */
    private long restarts() {
        try {
            FlinkRest.Restarts r = rest.restarts(jobId());
            progress.printf("[demo] restarts: %d (numRestarts metric %d, failures in the exception history %d, highest "
                    + "subtask attempt %d)%n", r.count(), r.metric(), r.failures(), r.maxAttempt());
            return r.count();
        } catch (Exception e) {
            progress.println("[demo] could not read the job's restarts from " + rest.url() + ": " + e.getMessage());
            return -1;
        }
    }

    /** What a request moves between the job's operators (frames, crops, tensors, bookkeeping), on average; -1 if unknown. */
    private long bytesPerRequest(long requests) {
        try {
            return requests == 0 ? 0 : rest.bytesBetweenOperators(jobId()) / requests;
        } catch (Exception e) {
            progress.println("[demo] could not read the job's network bytes from " + rest.url() + ": " + e.getMessage());
            return -1;
        }
    }

    private static String describe(Plan p) {
        return "plan v" + p.version() + " " + PlannerSidecar.describe(p);
    }

    /** Stops what was started, once: on normal exit and on Ctrl-C alike. */
    public void stop() {
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        if (sidecar != null) {
            sidecar.close();
        }
        if (repartitioner != null) {
            repartitioner.close();
        }
        try {
            if (jobId() != null) {
                rest.cancel(jobId());
            }
        } catch (Exception e) {
            progress.println("[demo] cancelling the job: " + e.getMessage());
        }
        try {
            if (broker != null) {
                broker.discard();
            }
        } catch (Exception e) {
            progress.println("[demo] stopping the broker: " + e.getMessage());
        }
        try {
            if (localCluster != null) {
                localCluster.close();
            }
            if (cluster != null) {
                cluster.close();
            }
        } catch (Exception e) {
            progress.println("[demo] stopping the Flink cluster: " + e.getMessage());
        }
        progress.println("[demo] stopped the job, the Flink cluster and the broker");
    }


    private static double round(double x) {
        return Math.round(x * 10_000) / 10_000.0;
    }
}
