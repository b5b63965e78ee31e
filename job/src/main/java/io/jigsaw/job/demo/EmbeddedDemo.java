package io.jigsaw.job.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.GraphLoader;
import io.jigsaw.core.graph.TensorSpec;
import io.jigsaw.core.plan.Plan;
import io.jigsaw.core.plan.PlanAvro;
import io.jigsaw.core.plan.PlanFile;
import io.jigsaw.core.plan.PlanValidator;
import io.jigsaw.core.plan.TaskPlan;
import io.jigsaw.core.input.InputException;
import io.jigsaw.job.JigsawJob;
import io.jigsaw.job.JigsawOptions;
import io.jigsaw.job.LoopbackPorts;
import io.jigsaw.job.kafka.AvroProducer;
import io.jigsaw.job.kafka.KafkaBroker;
import io.jigsaw.job.kafka.TopicReader;
import io.jigsaw.job.kafka.Topics;
import io.jigsaw.operators.DjlVariantRunner;
import io.jigsaw.schemas.DeadLetter;
import io.jigsaw.schemas.Result;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code jigsaw demo}: everything in one process tree on 127.0.0.1 — a KRaft broker (own JVM), the
 * topics, the models, a Flink MiniCluster with its web dashboard running {@link JigsawJob}, and a
 * Poisson trace with a step up and down replayed into {@code requests}. Progress on stderr, the
 * summary on stdout. Until the planner sidecar exists, the demo itself publishes a second plan at
 * the step up and the first again at the step down, to show plans switching live.
 */
public final class EmbeddedDemo {

    /** What the user chose on the command line. */
    public record Settings(Path graphFile, Path planFile, Path burstPlanFile, boolean switchPlans, double rate, double step,
            Duration duration, long seed, int replicaSlots, int webPort, Path workDir, int warmup) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Settings s;
    private final PrintStream progress;
    private final PrintStream out;
    private final AtomicBoolean stopped = new AtomicBoolean();
    private KafkaBroker broker;
    private JobClient job;

    public EmbeddedDemo(Settings settings, PrintStream progress, PrintStream out) {
        this.s = settings;
        this.progress = progress;
        this.out = out;
    }

    /** @return the summary, also printed */
    public Map<String, Object> run(boolean json) throws Exception {
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

    private Map<String, Object> serve(boolean json) throws Exception {
        Graph graph = GraphLoader.load(s.graphFile());
        TensorSpec spec = graph.input().orElseThrow(() -> new InputException(s.graphFile(), "input",
                "the demo needs the graph's input spec to make frames"));
        Plan steady = PlanValidator.requireValid(PlanFile.read(s.planFile()), graph, s.planFile());
        Plan burst = s.switchPlans() ? PlanValidator.requireValid(PlanFile.read(s.burstPlanFile()), graph, s.burstPlanFile()) : null;

        List<String> missing = ModelCache.missing(graph);
        if (!missing.isEmpty()) {
            progress.println("[demo] building " + missing.size() + " missing model(s) " + missing + " (synthetic demo models)");
            ModelCache.build(s.graphFile());
        }

        Files.createDirectories(s.workDir());
        Path kafkaDir = Files.createTempDirectory(s.workDir(), "kafka-");
        progress.println("[demo] starting a KRaft Kafka broker on 127.0.0.1 (log: " + kafkaDir.resolve("broker.out") + ")");
        long t0 = System.nanoTime();
        broker = KafkaBroker.start(kafkaDir, Duration.ofSeconds(120));
        progress.printf("[demo] broker up at %s in %.1f s%n", broker.bootstrap(), (System.nanoTime() - t0) / 1e9);

        Configuration conf = new Configuration();
        conf.set(JigsawOptions.BOOTSTRAP, broker.bootstrap());
        conf.set(JigsawOptions.REPLICA_SLOTS, s.replicaSlots());
        Topics topics = Topics.from(conf);
        topics.create(broker.bootstrap(), s.replicaSlots());

        int webPort = s.webPort() > 0 ? s.webPort() : LoopbackPorts.free();
        Configuration flink = new Configuration();
        flink.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        flink.set(RestOptions.ADDRESS, "127.0.0.1");
        flink.set(RestOptions.PORT, webPort);
        flink.set(TaskManagerOptions.NUM_TASK_SLOTS, s.replicaSlots());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(flink);
        env.setParallelism(s.replicaSlots());
        JigsawJob.build(env, graph, conf, DjlVariantRunner.factory());
        String dashboard = "http://127.0.0.1:" + webPort;

        try (AvroProducer producer = new AvroProducer(broker.bootstrap());
             TopicReader<Result> results = new TopicReader<>(broker.bootstrap(), topics.results(), Result.class);
             TopicReader<DeadLetter> deadLetters = new TopicReader<>(broker.bootstrap(), topics.deadLetters(), DeadLetter.class)) {
            producer.send(topics.plans(), graph.name(), PlanAvro.toAvro(steady)).get();
            job = env.executeAsync("jigsaw: " + graph.name());
            awaitRunning();
            progress.println("[demo] Flink job running; dashboard: " + dashboard);

            ResultStats warm = new ResultStats();
            long now = System.currentTimeMillis();
            for (int i = 0; i < s.warmup(); i++) {
                producer.send(topics.requests(), "warmup-" + i,
                        Frames.request("warmup-" + i, graph.name(), spec, now, now + 60_000, -1 - i));
            }
            long warmUntil = System.currentTimeMillis() + 120_000;
            while (warm.answered() < s.warmup() && System.currentTimeMillis() < warmUntil) {
                results.poll(Duration.ofMillis(200)).forEach(warm::add);
            }
            progress.printf("[demo] warm-up: %d request(s) answered (not counted below)%n", warm.answered());

            return replay(graph, spec, steady, burst, producer, results, deadLetters, topics, dashboard, json);
        }
    }

    private Map<String, Object> replay(Graph graph, TensorSpec spec, Plan steady, Plan burst, AvroProducer producer,
            TopicReader<Result> results, TopicReader<DeadLetter> deadLetters, Topics topics, String dashboard, boolean json)
            throws Exception {
        StepTrace trace = new StepTrace(s.rate(), s.step(), s.duration().toMillis(), s.seed());
        List<Long> arrivals = trace.arrivals();
        progress.printf("[demo] replaying %d requests over %d s: Poisson %.1f rps, x%.1f from %d s to %d s%n", arrivals.size(),
                s.duration().toSeconds(), s.rate(), s.step(), trace.stepUpMs() / 1000, trace.stepDownMs() / 1000);
        ResultStats stats = new ResultStats();
        AtomicLong sent = new AtomicLong();
        AtomicLong dead = new AtomicLong();
        AtomicReference<Plan> current = new AtomicReference<>(steady);
        long start = System.currentTimeMillis();
        Thread sender = new Thread(() -> {
            boolean up = false;
            boolean down = false;
            for (int i = 0; i < arrivals.size() && !stopped.get(); i++) {
                long at = start + arrivals.get(i);
                long wait = at - System.currentTimeMillis();
                if (wait > 0) {
                    sleep(wait);
                }
                long offset = System.currentTimeMillis() - start;
                if (burst != null && !up && offset >= trace.stepUpMs()) {
                    up = true;
                    publish(producer, topics, current, burst.withVersion(steady.version() + 1, burst.createdBy()));
                }
                if (burst != null && !down && offset >= trace.stepDownMs()) {
                    down = true;
                    publish(producer, topics, current, steady.withVersion(steady.version() + 2, steady.createdBy()));
                }
                long now = System.currentTimeMillis();
                String id = "demo-" + s.seed() + "-" + i;
                producer.send(topics.requests(), id,
                        Frames.request(id, graph.name(), spec, now, now + (long) graph.latencySloMs(), s.seed() * 1_000_003 + i));
                sent.incrementAndGet();
            }
            producer.flush();
        }, "demo-replay");
        sender.start();

        long lastPrint = 0;
        long graceMs = (long) graph.latencySloMs() + 15_000;
        long endBy = start + s.duration().toMillis() + graceMs;
        while (!stopped.get() && System.currentTimeMillis() < endBy
                && (sender.isAlive() || stats.answered() < sent.get())) {
            results.poll(Duration.ofMillis(200)).forEach(stats::add);
            dead.addAndGet(deadLetters.poll(Duration.ZERO).size());
            long now = System.currentTimeMillis();
            if (now - lastPrint >= 2000) {
                lastPrint = now;
                progress.printf("[%3ds] sent %5d  answered %5d  dropped %4d  SLO %5.1f%%  p50 %4d ms  p99 %4d ms  %s%n",
                        (now - start) / 1000, sent.get(), stats.answered(), stats.dropped(), 100 * stats.sloAttainment(),
                        stats.percentile(0.5), stats.percentile(0.99), describe(current.get()));
            }
        }
        sender.join(5000);
        results.poll(Duration.ofSeconds(1)).forEach(stats::add);

        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("graph", graph.name());
        summary.put("requests_sent", sent.get());
        summary.put("results", stats.completed());
        summary.put("dropped", stats.dropped());
        summary.put("dead_letters", dead.get());
        summary.put("lost", sent.get() - stats.completed() - stats.dropped());
        summary.put("duplicates", stats.duplicates());
        summary.put("slo_attainment", round(stats.sloAttainment()));
        summary.put("p50_ms", stats.percentile(0.5));
        summary.put("p99_ms", stats.percentile(0.99));
        summary.put("mean_accuracy", round(stats.meanAccuracy()));
        summary.put("latency_slo_ms", graph.latencySloMs());
        summary.put("plan_versions_published", burst == null ? 1 : 3);
        summary.put("warmup_requests", s.warmup());
        summary.put("tasks", graph.tasks().stream().map(t -> t.name()).toList());
        summary.put("dashboard_url", dashboard);
        summary.put("note", "synthetic demo models (random weights, declared accuracies) on CPU; shares are thread budgets");

        progress.println("[demo] summary (counted after warm-up):");
        summary.forEach((k, v) -> out.printf("  %-22s %s%n", k, v));
        if (json) {
            out.println(JSON.writeValueAsString(summary));
        }
        return summary;
    }

    private void publish(AvroProducer producer, Topics topics, AtomicReference<Plan> current, Plan plan) {
        try {
            producer.send(topics.plans(), plan.graph(), PlanAvro.toAvro(plan)).get();
            current.set(plan);
            progress.println("[demo] published plan v" + plan.version() + " (" + plan.createdBy() + "): " + describe(plan));
        } catch (Exception e) {
            progress.println("[demo] could not publish plan v" + plan.version() + ": " + e);
        }
    }

    private static String describe(Plan p) {
        StringBuilder b = new StringBuilder("plan v" + p.version() + " [");
        for (TaskPlan t : p.tasks()) {
            b.append(t.variant()).append(" b").append(t.batchSize()).append(" x").append(t.replicas()).append(", ");
        }
        b.setLength(b.length() - 2);
        return b.append(']').toString();
    }

    private void awaitRunning() throws Exception {
        long until = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < until) {
            JobStatus status = job.getJobStatus().get(10, TimeUnit.SECONDS);
            if (status == JobStatus.RUNNING) {
                return;
            }
            if (status.isGloballyTerminalState()) {
                throw new IllegalStateException("the Flink job ended before serving: " + status);
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the Flink job did not reach RUNNING within 120 s");
    }

    /** Stops what was started, once: on normal exit and on Ctrl-C alike. */
    public void stop() {
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        try {
            if (job != null) {
                job.cancel().get(30, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            progress.println("[demo] cancelling the job: " + e.getMessage());
        }
        try {
            if (broker != null) {
                broker.close();
            }
        } catch (Exception e) {
            progress.println("[demo] stopping the broker: " + e.getMessage());
        }
        progress.println("[demo] stopped the job and the broker");
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static double round(double x) {
        return Math.round(x * 10_000) / 10_000.0;
    }
}
