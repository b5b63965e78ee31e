package io.jigsaw.bench;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.GraphLoader;
import io.jigsaw.core.graph.Task;
import io.jigsaw.core.graph.TensorSpec;
import io.jigsaw.core.plan.Partition;
import io.jigsaw.core.plan.Plan;
import io.jigsaw.core.plan.PlanAvro;
import io.jigsaw.core.plan.TaskPlan;
import io.jigsaw.core.stats.Percentiles;
import io.jigsaw.job.JigsawOptions;
import io.jigsaw.job.broker.KafkaBroker;
import io.jigsaw.job.client.Frames;
import io.jigsaw.job.cluster.InProcessCluster;
import io.jigsaw.job.kafka.AvroProducer;
import io.jigsaw.job.kafka.TopicReader;
import io.jigsaw.job.kafka.Topics;
import io.jigsaw.job.topology.JigsawJob;
import io.jigsaw.runtime.DjlVariantRunner;
import io.jigsaw.runtime.VariantRunner;
import io.jigsaw.schemas.Result;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Prints, from one run on one machine:
 * <ol>
 *   <li>throughput of the Flink job serving a one-task graph (Kafka in, DJL predict, results out)
 *       against a raw DJL predict loop on the same variant, batch size and thread count, as a ratio;</li>
 *   <li>the latency the framework adds per hop at low load, from each result's own breakdown
 *       ({@code transfer_ms / hops}: wall time between the job's operators), next to the rest of its
 *       latency (Kafka on the way in, batch queue, model).</li>
 * </ol>
 * Both sides are warmed up first: the raw loop with a few batches, the job with as many requests as
 * it is timed on, so neither figure includes JIT compilation or model loading.
 *
 * Args: --graph G --work DIR [--task detect] [--variant detect-m] [--batch 8] [--threads 1] [--requests 2000] [--probes 200]
 */
public final class JobVsRawBench {

    public static void main(String[] args) {
        BenchJob.runAndExit(() -> run(args));
    }

    private static void run(String[] args) throws Exception {
        BenchArgs a = new BenchArgs(args);
        Graph full = GraphLoader.load(Path.of(a.get("--graph", null)));
        Task task = full.task(a.get("--task", "detect")).orElseThrow();
        // The task alone, as a one-task graph: root and leaf, no fan-out, so both sides do the same work.
        Task alone = new Task(task.name(), List.of(), task.variants().stream()
                .map(v -> new io.jigsaw.core.graph.Variant(v.name(), v.accuracy(), v.modelDir(), java.util.Map.of(), v.buildRecipe(), false))
                .toList());
        Graph graph = new Graph(full.name() + "-bench", 60_000, full.accuracySlo(), full.inputSpec(), List.of(alone),
                full.modelsDirectory(), List.of());
        String variant = a.get("--variant", "detect-m");
        int batch = Integer.parseInt(a.get("--batch", "8"));
        int threads = Integer.parseInt(a.get("--threads", "1"));
        int requests = Integer.parseInt(a.get("--requests", "2000"));
        int probes = Integer.parseInt(a.get("--probes", "200"));
        TensorSpec spec = graph.input().orElseThrow();
        int[] shape = spec.shape().stream().mapToInt(Integer::intValue).toArray();
        Path work = Files.createDirectories(Path.of(a.get("--work", "bench-work")));

        System.out.printf("bench: task %s, variant %s, batch %d, %d TensorFlow thread(s), %d requests, %d cores%n",
                task.name(), variant, batch, threads, requests, Runtime.getRuntime().availableProcessors());

        // 1. Raw DJL loop.
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < batch; i++) {
            frames.add(bytes(Frames.request("raw", graph.name(), spec, 1, 0, i).getPayload().getData()));
        }
        double rawRps;
        double rawCores;
        double[] rawSingleMs;
        try (VariantRunner runner = DjlVariantRunner.factory().open(graph, task.name())) {
            for (int i = 0; i < 20; i++) {
                runner.predict(variant, threads, frames, shape);
            }
            long start = System.nanoTime();
            long cpu = InProcessCluster.jvmCpuNanos();
            int batches = requests / batch;
            for (int i = 0; i < batches; i++) {
                runner.predict(variant, threads, frames, shape);
            }
            long wall = System.nanoTime() - start;
            rawRps = batches * batch / (wall / 1e9);
            rawCores = (InProcessCluster.jvmCpuNanos() - cpu) / (double) wall;
            rawSingleMs = new double[probes];
            for (int i = 0; i < probes; i++) {
                // Spaced as the job's probes are: TensorFlow's threads fall asleep between sparse requests,
                // and back-to-back calls would time a hot pool the job's one-at-a-time probes never see.
                Thread.sleep(PROBE_GAP_MS);
                long t = System.nanoTime();
                runner.predict(variant, threads, frames.subList(0, 1), shape);
                rawSingleMs[i] = (System.nanoTime() - t) / 1e6;
            }
        }
        Arrays.sort(rawSingleMs);
        System.out.printf("raw DJL loop:   %8.1f requests/s   using %.2f cores   (batch-1 predict p50 %.2f ms, p99 %.2f ms)%n",
                rawRps, rawCores, pct(rawSingleMs, 0.5), pct(rawSingleMs, 0.99));

        // 2. The job, on a MiniCluster with a real broker, same variant/batch/threads, one replica.
        KafkaBroker broker = KafkaBroker.start(work.resolve("kafka-" + System.nanoTime()), Duration.ofSeconds(120));
        try {
            Configuration conf = new Configuration();
            conf.set(JigsawOptions.BOOTSTRAP, broker.bootstrap());
            conf.set(JigsawOptions.REPLICA_SLOTS, 1);
            conf.set(JigsawOptions.CORES_PER_GPU, threads);
            Topics topics = Topics.from(conf);
            topics.create(broker.bootstrap(), 1);
            Plan throughputPlan = plan(graph, task, variant, batch, 5, 1);
            Plan latencyPlan = plan(graph, task, variant, 1, 0, 2);
            StreamExecutionEnvironment env = BenchJob.environment(1, work);
            JigsawJob.build(env, graph, conf, DjlVariantRunner.factory());
            try (AvroProducer producer = new AvroProducer(broker.bootstrap());
                 TopicReader<Result> results = new TopicReader<>(broker.bootstrap(), topics.results(), Result.class)) {
                producer.send(topics.plans(), graph.name(), PlanAvro.toAvro(throughputPlan)).get();
                long now = System.currentTimeMillis();
                // Backlog first, then start the job: it runs saturated, as the raw loop does. The first half
                // warms it up (model load, JIT); it is timed from the last warm-up result to the last result.
                for (int i = 0; i < 2 * requests; i++) {
                    String id = (i < requests ? "w" : "t") + i;
                    producer.send(topics.requests(), id, Frames.request(id, graph.name(), spec, now, 0, i % batch));
                }
                producer.flush();
                System.out.printf("backlog of %d warm-up + %d timed requests written in %.1f s; starting the job%n",
                        requests, requests, (System.currentTimeMillis() - now) / 1000.0);
                JobClient job = env.executeAsync("bench");
                List<Result> got = BenchJob.collect(results, requests, 600_000);
                // CPU of the job's JVM and the broker, from the end of the warm-up to the last result.
                long jvmCpu = InProcessCluster.jvmCpuNanos();
                long brokerCpu = broker.cpuTime().toNanos();
                long start = System.nanoTime();
                got.addAll(BenchJob.collect(results, 2 * requests - got.size(), 600_000));
                double wall = System.nanoTime() - start;
                double brokerCores = (broker.cpuTime().toNanos() - brokerCpu) / wall;
                double jobCores = (InProcessCluster.jvmCpuNanos() - jvmCpu) / wall + brokerCores;
                long warm = got.stream().filter(r -> r.getRequestId().startsWith("w")).mapToLong(Result::getCompletedMs).max().orElse(0);
                long last = got.stream().filter(r -> r.getRequestId().startsWith("t")).mapToLong(Result::getCompletedMs).max().orElse(0);
                double jobRps = requests * 1000.0 / Math.max(1, last - warm);
                System.out.printf("Flink job:      %8.1f requests/s   using %.2f cores   (%d timed results after %d warm-up; "
                        + "%.2f of the cores: the broker)%n", jobRps, jobCores, requests, requests, brokerCores);
                System.out.printf("ratio job/raw:  %8.3f   (goal >= 0.9)%n", jobRps / rawRps);
                System.out.printf("per core used:  raw %.1f, job %.1f requests/s, ratio %.3f%n", rawRps / rawCores,
                        jobRps / jobCores, (jobRps / jobCores) / (rawRps / rawCores));

                // 3. Latency at low load: batch 1, no wait, one request at a time.
                producer.send(topics.plans(), graph.name(), PlanAvro.toAvro(latencyPlan)).get();
                Thread.sleep(1000);
                double[] e2e = new double[probes];
                double[] perHop = new double[probes];
                double[] kafkaIn = new double[probes];
                double[] queue = new double[probes];
                double[] model = new double[probes];
                int hops = 0;
                for (int i = 0; i < probes; i++) {
                    Thread.sleep(PROBE_GAP_MS);
                    long sent = System.currentTimeMillis();
                    producer.send(topics.requests(), "l" + i, Frames.request("l" + i, graph.name(), spec, sent, 0, i)).get();
                    Result r = BenchJob.collect(results, 1, 30_000).get(0);
                    hops = r.getHops();
                    e2e[i] = r.getLatencyMs();
                    perHop[i] = r.getTransferMs() / r.getHops();
                    queue[i] = r.getQueueMs();
                    model[i] = r.getModelMs();
                    // Event time is ms-granular: this remainder is too (Kafka produce + fetch + decoding).
                    kafkaIn[i] = Math.max(0, r.getLatencyMs() - r.getTransferMs() - r.getQueueMs() - r.getModelMs());
                }
                for (double[] d : List.of(e2e, perHop, kafkaIn, queue, model)) {
                    Arrays.sort(d);
                }
                System.out.printf("at low load (%d requests one at a time), from each result's latency breakdown:%n", probes);
                System.out.printf("  end-to-end          p50 %6.2f ms  p99 %6.2f ms  (event time to result assembled, ms-granular)%n",
                        pct(e2e, 0.5), pct(e2e, 0.99));
                System.out.printf("  Kafka in + decode   p50 %6.2f ms  p99 %6.2f ms%n", pct(kafkaIn, 0.5), pct(kafkaIn, 0.99));
                System.out.printf("  batch queue         p50 %6.2f ms  p99 %6.2f ms%n", pct(queue, 0.5), pct(queue, 0.99));
                System.out.printf("  model               p50 %6.2f ms  p99 %6.2f ms  (raw loop, same spacing: p50 %.2f ms)%n",
                        pct(model, 0.5), pct(model, 0.99), pct(rawSingleMs, 0.5));
                System.out.printf("framework per hop (%d hops: decode -> deduplicate -> %s -> assemble): p50 %.3f ms, p99 %.3f ms "
                        + "(goal p99 <= 2 ms)%n", hops, task.name(), pct(perHop, 0.5), pct(perHop, 0.99));
                job.cancel().get();
            }
        } finally {
            // Its records are the benchmark's own: a few GB a run, which filled the disk when kept.
            broker.discard();
        }
    }

    /** Pause before each low-load probe, raw and job alike. */
    private static final long PROBE_GAP_MS = 10;

    private static Plan plan(Graph graph, Task task, String variant, int batch, double timeoutMs, long version) {
        return new Plan(graph.name(), version, "bench", "", List.of(
                new TaskPlan(task.name(), variant, batch, timeoutMs, 1000, List.of(new Partition(0, 100)))));
    }



    private static double pct(double[] sorted, double q) {
        return Percentiles.ofSorted(sorted, q);
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
