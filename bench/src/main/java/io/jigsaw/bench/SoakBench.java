package io.jigsaw.bench;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.GraphLoader;
import io.jigsaw.core.graph.Task;
import io.jigsaw.core.graph.TensorSpec;
import io.jigsaw.core.graph.Variant;
import io.jigsaw.core.plan.Partition;
import io.jigsaw.core.plan.Plan;
import io.jigsaw.core.plan.PlanAvro;
import io.jigsaw.core.plan.TaskPlan;
import io.jigsaw.job.JigsawOptions;
import io.jigsaw.job.broker.KafkaBroker;
import io.jigsaw.job.client.Frames;
import io.jigsaw.job.cluster.InProcessCluster;
import io.jigsaw.job.kafka.AvroProducer;
import io.jigsaw.job.kafka.TopicReader;
import io.jigsaw.job.kafka.Topics;
import io.jigsaw.job.report.ResultStats;
import io.jigsaw.job.topology.JigsawJob;
import io.jigsaw.runtime.DjlVariantRunner;
import io.jigsaw.schemas.Result;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Leaves the job running with the demo graph's real models for a long time while its plan changes every
 * minute — another variant per task, another share (so another thread budget: another TensorFlow session),
 * one or two replicas of classify — and prints, every few minutes, what would grow if something leaked: heap
 * used after a full GC, the process's resident memory (TensorFlow's native memory included), model sessions
 * held, requests held in keyed state (each with one cleanup timer), the last checkpoint's size and duration.
 * At the end: the slope per hour of each after the warm-up, and every request's fate (lost = no result at all,
 * duplicates = a second result for an id, dropped = answered as dropped, e.g. late on a busy machine).
 *
 * Args: --graph G --work DIR [--minutes 35] [--rate 8] [--plan-every-s 60] [--report-every-s 300] [--warmup-min 5]
 * [--slo-ms 2000]
 */
public final class SoakBench {

    public static void main(String[] args) {
        BenchJob.runAndExit(() -> run(args));
    }

    /** One row of the table. */
    private record Sample(double minute, double heapMb, double rssMb, double sessions, double requestsHeld,
            double checkpointKb, double checkpointMs, double checkpoints, long sent, long answered, long plans) {
    }

    private static void run(String[] args) throws Exception {
        BenchArgs a = new BenchArgs(args);
        Path graphFile = Path.of(a.get("--graph", null));
        Graph graph = GraphLoader.load(graphFile);
        double minutes = Double.parseDouble(a.get("--minutes", "35"));
        double rate = Double.parseDouble(a.get("--rate", "8"));
        long planEveryMs = Long.parseLong(a.get("--plan-every-s", "60")) * 1000;
        long reportEveryMs = Long.parseLong(a.get("--report-every-s", "300")) * 1000;
        double warmupMin = Double.parseDouble(a.get("--warmup-min", "5"));
        long sloMs = Long.parseLong(a.get("--slo-ms", "2000"));
        TensorSpec spec = graph.input().orElseThrow();
        Path work = Files.createDirectories(Path.of(a.get("--work", "bench-work")));
        int slots = 2;
        int coresPerGpu = 5;
        System.out.printf(Locale.ROOT, "soak: graph %s, %.0f min at %.1f requests/s, a new plan every %d s (variants, shares, "
                        + "replicas), a row every %d s, slopes after %.0f min of warm-up; %d cores, heap max %d MB%n", graph.name(),
                minutes, rate, planEveryMs / 1000, reportEveryMs / 1000, warmupMin, Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20);

        KafkaBroker broker = KafkaBroker.start(work.resolve("kafka-" + System.nanoTime()), Duration.ofSeconds(120));
        Configuration conf = new Configuration();
        conf.set(JigsawOptions.BOOTSTRAP, broker.bootstrap());
        conf.set(JigsawOptions.REPLICA_SLOTS, slots);
        conf.set(JigsawOptions.CORES_PER_GPU, coresPerGpu);
        Topics topics = Topics.from(conf);
        topics.create(broker.bootstrap(), slots);
        Configuration flink = InProcessCluster.checkpointsOnDisk(new Configuration(), work.resolve("checkpoints"));
        flink.set(TaskManagerOptions.NUM_TASK_SLOTS, slots);
        flink.setString("metrics.reporter.soak.factory.class", SoakMetrics.Factory.class.getName());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
        env.setParallelism(slots);
        JigsawJob.build(env, graph, conf, DjlVariantRunner.factory());

        // Every request's fate: its first result counted, a second one a duplicate. This bookkeeping lives in the heap
        // the bench measures and grows with the requests sent.
        ResultStats fate = new ResultStats();
        List<Sample> samples = new ArrayList<>();
        long sent = 0;
        long plans = 0;
        try (AvroProducer producer = new AvroProducer(broker.bootstrap());
             TopicReader<Result> results = new TopicReader<>(broker.bootstrap(), topics.results(), Result.class)) {
            producer.send(topics.plans(), graph.name(), PlanAvro.toAvro(plan(graph, ++plans))).get(60, TimeUnit.SECONDS);
            JobClient job = env.executeAsync("soak");
            long start = System.currentTimeMillis();
            long end = start + (long) (minutes * 60_000);
            long nextPlan = start + planEveryMs;
            long nextReport = start;
            double intervalMs = 1000.0 / rate;
            long nextRequest = start;
            while (System.currentTimeMillis() < end) {
                long now = System.currentTimeMillis();
                if (now >= nextRequest) {
                    String id = "soak-" + sent;
                    producer.send(topics.requests(), id, Frames.scene(id, graph.name(), spec, now, now + sloMs, sent));
                    sent++;
                    nextRequest = start + (long) (sent * intervalMs);
                }
                if (now >= nextPlan) {
                    producer.send(topics.plans(), graph.name(), PlanAvro.toAvro(plan(graph, ++plans)));
                    nextPlan += planEveryMs;
                }
                results.poll(Duration.ofMillis(1)).forEach(fate::add);
                if (now >= nextReport) {
                    samples.add(sample(start, sent, fate.answered(), plans));
                    print(samples, fate);
                    nextReport += reportEveryMs;
                }
                Thread.sleep(Math.max(0, Math.min(nextRequest, nextPlan) - System.currentTimeMillis()) / 2);
            }
            producer.flush();
            long until = System.currentTimeMillis() + 120_000;
            while (fate.answered() < sent && System.currentTimeMillis() < until) {
                results.poll(Duration.ofMillis(200)).forEach(fate::add);
            }
            results.poll(Duration.ofSeconds(3)).forEach(fate::add);
            samples.add(sample(start, sent, fate.answered(), plans));
            print(samples, fate);
            job.cancel().get(60, TimeUnit.SECONDS);
        } finally {
            broker.close();
        }

        List<Sample> steady = samples.stream().filter(s -> s.minute() >= warmupMin).toList();
        System.out.printf(Locale.ROOT, "%nslope per hour after %.0f min (least squares over %d rows):%n", warmupMin, steady.size());
        System.out.printf(Locale.ROOT, "  heap after GC %+.1f MB/h, RSS %+.1f MB/h, sessions %+.2f /h, requests held %+.1f /h, "
                        + "checkpoint %+.1f KB/h%n",
                slope(steady, Sample::heapMb), slope(steady, Sample::rssMb), slope(steady, Sample::sessions),
                slope(steady, Sample::requestsHeld), slope(steady, Sample::checkpointKb));
        System.out.printf(Locale.ROOT, "requests: %d sent, %d answered, %d lost, %d duplicates, %d answered dropped; %d plans%n",
                sent, fate.answered(), sent - fate.answered(), fate.duplicates(), fate.dropped(), plans);
    }

    /**
     * Plan {@code version}: each task's variant and share turn at their own pace (detect every plan, classify every
     * second, depth every third), so over half an hour every task meets every variant at several thread budgets;
     * classify runs one replica, then two. At most 99 % of the one GPU (here: {@code coresPerGpu} threads).
     */
    static Plan plan(Graph graph, long version) {
        int k = (int) version;
        double[] detectShares = {25, 45, 60};
        double[] classifyShares = {8, 12};
        double[] depthShares = {5, 10};
        List<TaskPlan> tasks = new ArrayList<>();
        for (Task t : graph.tasks()) {
            List<String> variants = t.variants().stream().map(Variant::name).toList();
            List<Partition> parts = new ArrayList<>();
            String variant;
            switch (t.name()) {
                case "detect" -> {
                    variant = variants.get(k % variants.size());
                    parts.add(new Partition(0, detectShares[(k / variants.size()) % 3]));
                }
                case "classify" -> {
                    variant = variants.get((k / 2) % variants.size());
                    for (int r = 0; r < 1 + k % 2; r++) {
                        parts.add(new Partition(0, classifyShares[(k / 3) % 2]));
                    }
                }
                case "depth" -> {
                    variant = variants.get((k / 3) % variants.size());
                    parts.add(new Partition(0, depthShares[(k / 2) % 2]));
                }
                default -> {
                    variant = variants.get(k % variants.size());
                    parts.add(new Partition(0, 5));
                }
            }
            tasks.add(new TaskPlan(t.name(), variant, 2 + k % 3, 10, 400, parts));
        }
        return new Plan(graph.name(), version, "soak", "plan " + version + " of the soak's cycle", tasks);
    }

    private static Sample sample(long start, long sent, long answered, long plans) throws Exception {
        System.gc();
        double heapMb = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1048576.0;
        double rssMb = 0;
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                rssMb = Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        }
        return new Sample((System.currentTimeMillis() - start) / 60_000.0, heapMb, rssMb, SoakMetrics.sum("jigsaw.sessionsHeld"),
                SoakMetrics.sum("jigsaw.requestsHeld"), SoakMetrics.sum("lastCheckpointFullSize") / 1024.0,
                SoakMetrics.sum("lastCheckpointDuration"), SoakMetrics.sum("numberOfCompletedCheckpoints"), sent, answered, plans);
    }

    private static void print(List<Sample> samples, ResultStats fate) {
        if (samples.size() == 1) {
            System.out.println("  min  heap-after-GC-MB   RSS-MB  sessions  requests-held  checkpoint-KB  checkpoint-ms  checkpoints"
                    + "     sent  answered  plans");
        }
        Sample s = samples.get(samples.size() - 1);
        System.out.printf(Locale.ROOT, "%5.1f  %15.1f  %7.1f  %8.0f  %13.0f  %13.1f  %13.0f  %11.0f  %7d  %8d  %5d   (dropped %d, "
                        + "duplicates %d)%n", s.minute(), s.heapMb(), s.rssMb(), s.sessions(), s.requestsHeld(), s.checkpointKb(),
                s.checkpointMs(), s.checkpoints(), s.sent(), s.answered(), s.plans(), fate.dropped(), fate.duplicates());
    }

    private static double slope(List<Sample> rows, java.util.function.ToDoubleFunction<Sample> y) {
        int n = rows.size();
        if (n < 2) {
            return Double.NaN;
        }
        double mx = rows.stream().mapToDouble(Sample::minute).average().orElse(0);
        double my = rows.stream().mapToDouble(y).average().orElse(0);
        double sxy = 0;
        double sxx = 0;
        for (Sample r : rows) {
            sxy += (r.minute() - mx) * (y.applyAsDouble(r) - my);
            sxx += (r.minute() - mx) * (r.minute() - mx);
        }
        return sxx == 0 ? Double.NaN : sxy / sxx * 60;
    }
}
