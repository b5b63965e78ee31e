package io.jigsaw.bench;

import io.jigsaw.core.stats.Percentiles;
import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.GraphLoader;
import io.jigsaw.core.graph.Task;
import io.jigsaw.core.graph.TensorSpec;
import io.jigsaw.core.plan.Partition;
import io.jigsaw.core.plan.Plan;
import io.jigsaw.core.plan.PlanAvro;
import io.jigsaw.core.plan.TaskPlan;
import io.jigsaw.job.JigsawJob;
import io.jigsaw.job.JigsawOptions;
import io.jigsaw.job.demo.Frames;
import io.jigsaw.job.kafka.AvroProducer;
import io.jigsaw.job.kafka.KafkaBroker;
import io.jigsaw.job.kafka.TopicReader;
import io.jigsaw.job.kafka.Topics;
import io.jigsaw.operators.DjlVariantRunner;
import io.jigsaw.operators.VariantRunner;
import io.jigsaw.schemas.Result;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.TaskManagerOptions;
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
 *   <li>the latency the framework adds per hop at low load: a request's end-to-end latency minus the
 *       raw model time of a batch of one, divided by the hops it takes.</li>
 * </ol>
 * Args: --graph G --work DIR [--task detect] [--variant detect-m] [--batch 8] [--threads 1] [--requests 2000] [--probes 200]
 */
public final class JobVsRawBench {

    public static void main(String[] args) throws Exception {
        Args a = new Args(args);
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
        Path work = Files.createDirectories(Path.of(a.get("--work", "bench-work")));

        System.out.printf("bench: task %s, variant %s, batch %d, %d TensorFlow thread(s), %d requests, %d cores%n",
                task.name(), variant, batch, threads, requests, Runtime.getRuntime().availableProcessors());

        // 1. Raw DJL loop.
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < batch; i++) {
            frames.add(bytes(Frames.request("raw", graph.name(), spec, 1, 0, i).getPayload().getData()));
        }
        double rawRps;
        double[] rawSingleMs;
        try (VariantRunner runner = DjlVariantRunner.factory().open(graph, task.name())) {
            for (int i = 0; i < 20; i++) {
                runner.predict(variant, threads, frames);
            }
            long start = System.nanoTime();
            int batches = requests / batch;
            for (int i = 0; i < batches; i++) {
                runner.predict(variant, threads, frames);
            }
            rawRps = batches * batch / ((System.nanoTime() - start) / 1e9);
            rawSingleMs = new double[probes];
            for (int i = 0; i < probes; i++) {
                long t = System.nanoTime();
                runner.predict(variant, threads, frames.subList(0, 1));
                rawSingleMs[i] = (System.nanoTime() - t) / 1e6;
            }
        }
        Arrays.sort(rawSingleMs);
        System.out.printf("raw DJL loop:   %8.1f requests/s   (batch-1 predict p50 %.2f ms, p99 %.2f ms)%n", rawRps,
                pct(rawSingleMs, 0.5), pct(rawSingleMs, 0.99));

        // 2. The job, on a MiniCluster with a real broker, same variant/batch/threads, one replica.
        try (KafkaBroker broker = KafkaBroker.start(work.resolve("kafka-" + System.nanoTime()), Duration.ofSeconds(120))) {
            Configuration conf = new Configuration();
            conf.set(JigsawOptions.BOOTSTRAP, broker.bootstrap());
            conf.set(JigsawOptions.REPLICA_SLOTS, 1);
            conf.set(JigsawOptions.CORES_PER_GPU, threads);
            Topics topics = Topics.from(conf);
            topics.create(broker.bootstrap(), 1);
            Plan throughputPlan = plan(graph, task, variant, batch, 5, 1);
            Plan latencyPlan = plan(graph, task, variant, 1, 0, 2);
            Configuration flink = new Configuration();
            flink.set(TaskManagerOptions.NUM_TASK_SLOTS, 1);
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
            env.setParallelism(1);
            JigsawJob.build(env, graph, conf, DjlVariantRunner.factory());
            try (AvroProducer producer = new AvroProducer(broker.bootstrap());
                 TopicReader<Result> results = new TopicReader<>(broker.bootstrap(), topics.results(), Result.class)) {
                producer.send(topics.plans(), graph.name(), PlanAvro.toAvro(throughputPlan)).get();
                long now = System.currentTimeMillis();
                // Backlog first, then start the job: it runs saturated, as the raw loop does.
                for (int i = 0; i < requests; i++) {
                    producer.send(topics.requests(), "t" + i, Frames.request("t" + i, graph.name(), spec, now, 0, i % batch));
                }
                producer.flush();
                JobClient job = env.executeAsync("bench");
                List<Result> got = collect(results, requests, 300_000);
                long first = got.stream().mapToLong(Result::getCompletedMs).min().orElse(0);
                long last = got.stream().mapToLong(Result::getCompletedMs).max().orElse(0);
                // The first result marks the job as started (model load, first batch): count from it.
                double jobRps = (got.size() - 1) * 1000.0 / Math.max(1, last - first);
                System.out.printf("Flink job:      %8.1f requests/s   (%d results; Kafka in, results out)%n", jobRps, got.size());
                System.out.printf("ratio job/raw:  %8.3f   (goal >= 0.9)%n", jobRps / rawRps);

                // 3. Latency at low load: batch 1, no wait, one request at a time.
                producer.send(topics.plans(), graph.name(), PlanAvro.toAvro(latencyPlan)).get();
                Thread.sleep(1000);
                double[] e2e = new double[probes];
                for (int i = 0; i < probes; i++) {
                    long sent = System.currentTimeMillis();
                    producer.send(topics.requests(), "l" + i, Frames.request("l" + i, graph.name(), spec, sent, 0, i)).get();
                    Result r = collect(results, 1, 30_000).get(0);
                    e2e[i] = r.getLatencyMs();
                }
                Arrays.sort(e2e);
                // Hops: Kafka -> decode-requests, decode -> task, task -> assemble-results.
                int hops = 3;
                double model = pct(rawSingleMs, 0.5);
                System.out.printf("end-to-end at low load: p50 %.1f ms, p99 %.1f ms (event time to result assembled; "
                        + "includes Kafka produce+fetch)%n", pct(e2e, 0.5), pct(e2e, 0.99));
                System.out.printf("framework per hop = (e2e - batch-1 model p50 %.2f ms) / %d hops: p50 %.2f ms, p99 %.2f ms "
                        + "(goal p99 <= 2 ms; e2e is ms-granular)%n", model, hops,
                        (pct(e2e, 0.5) - model) / hops, (pct(e2e, 0.99) - model) / hops);
                job.cancel().get();
            }
        }
        System.exit(0);
    }

    private static Plan plan(Graph graph, Task task, String variant, int batch, double timeoutMs, long version) {
        return new Plan(graph.name(), version, "bench", "", List.of(
                new TaskPlan(task.name(), variant, batch, timeoutMs, 1000, List.of(new Partition(0, 100)))));
    }

    private static List<Result> collect(TopicReader<Result> results, int n, long timeoutMs) {
        List<Result> got = new ArrayList<>();
        long until = System.currentTimeMillis() + timeoutMs;
        while (got.size() < n && System.currentTimeMillis() < until) {
            got.addAll(results.poll(Duration.ofMillis(20)));
        }
        if (got.size() < n) {
            throw new IllegalStateException("only " + got.size() + " of " + n + " results within " + timeoutMs + " ms");
        }
        return got;
    }

    private static double pct(double[] sorted, double q) {
        return Percentiles.ofSorted(sorted, q);
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    /** --key value pairs. */
    private record Args(String[] args) {
        String get(String key, String fallback) {
            for (int i = 0; i + 1 < args.length; i++) {
                if (args[i].equals(key)) {
                    return args[i + 1];
                }
            }
            if (fallback == null) {
                throw new IllegalArgumentException("missing " + key);
            }
            return fallback;
        }
    }
}
