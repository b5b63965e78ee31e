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
import io.jigsaw.job.kafka.KafkaConnection;
import io.jigsaw.job.kafka.TopicReader;
import io.jigsaw.job.kafka.Topics;
import io.jigsaw.job.topology.JigsawJob;
import io.jigsaw.schemas.AvroBytes;
import io.jigsaw.schemas.Result;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * The framework's own cost per request, without any model: the demo graph (detect → {classify, depth} →
 * fuse, crops, a join, results with every tensor) served by the Flink job with every variant replaced by
 * {@link NoOpRunner}, on a real broker, beside a raw Kafka consume→produce loop over the same request
 * records on the same broker (the least any server must do: read each request, write an answer). Prints,
 * from one run: requests/s and CPU per request of both (this JVM plus the broker process), their ratio,
 * the framework's per-hop latency at low load, and where the job's CPU went ({@link CpuProfile}, JFR).
 *
 * Args: --graph G --work DIR [--requests 5000] [--rounds 3] [--warmup 3 x requests] [--batch 8] [--slots 1] [--probes 200] [--jfr true]
 * [--checkpoint-ms 2000]
 */
public final class FrameworkBench {

    public static void main(String[] args) {
        BenchJob.runAndExit(() -> run(args));
    }

    private static void run(String[] args) throws Exception {
        BenchArgs a = new BenchArgs(args);
        Graph graph = GraphLoader.load(Path.of(a.get("--graph", null)));
        int requests = Integer.parseInt(a.get("--requests", "5000"));
        // Long enough for the JIT: on 2 busy cores its compiler threads get little time, and a short warm-up
        // left hot methods (the crops) interpreted for part of the timed phase in some runs and not others.
        int warmup = Integer.parseInt(a.get("--warmup", String.valueOf(3 * requests)));
        int batch = Integer.parseInt(a.get("--batch", "8"));
        int slots = Integer.parseInt(a.get("--slots", "1"));
        int probes = Integer.parseInt(a.get("--probes", "200"));
        int rounds = Integer.parseInt(a.get("--rounds", "3"));
        boolean jfr = Boolean.parseBoolean(a.get("--jfr", "true"));
        long checkpointMs = Long.parseLong(a.get("--checkpoint-ms", String.valueOf(JigsawOptions.CHECKPOINT_INTERVAL.defaultValue().toMillis())));
        TensorSpec spec = graph.input().orElseThrow();
        Path work = Files.createDirectories(Path.of(a.get("--work", "bench-work")));
        System.out.printf("framework bench: graph %s with no-op models, %d rounds of %d timed requests (after %d warm-up), batch %d, "
                + "%d replica slot(s), delivery %s, checkpoints every %d ms, %d cores%n", graph.name(), rounds, requests, warmup, batch, slots,
                JigsawOptions.DELIVERY.defaultValue().name().toLowerCase(java.util.Locale.ROOT), checkpointMs,
                Runtime.getRuntime().availableProcessors());

        // A frame may travel encoded (JPEG, PNG) for the job to decode: what that costs in bytes and CPU per request.
        PictureCost.print(graph.name(), spec, Integer.parseInt(a.get("--decodes", "2000")));
        if (Boolean.parseBoolean(a.get("--decode-only", "false"))) {
            return;
        }

        // The same records for both sides: synthetic scenes with their truth, as the demo sends; made as they
        // are written (all of them would not fit the heap).
        long now = System.currentTimeMillis();
        Records records = new Records(warmup, requests * (rounds + (jfr ? 1 : 0)), i -> AvroBytes.encode(Frames.scene(id(warmup, i), graph.name(), spec, now,
                now + 3_600_000, i % 500)));
        System.out.printf("request record: %d bytes%n", records.get(0).length);

        KafkaBroker broker = KafkaBroker.start(work.resolve("kafka-" + System.nanoTime()), Duration.ofSeconds(120));
        try {
            Rate raw = rawLoop(broker, records);
            System.out.printf("raw Kafka loop:  %8.1f requests/s  %.2f cores  %.3f ms CPU/request  (%.2f of the cores: the broker)%n",
                    raw.rps, raw.cores, raw.cpuMsPerRequest(), raw.brokerCores);

            Configuration conf = new Configuration();
            conf.set(JigsawOptions.BOOTSTRAP, broker.bootstrap());
            conf.set(JigsawOptions.REPLICA_SLOTS, slots);
            conf.set(JigsawOptions.CHECKPOINT_INTERVAL, Duration.ofMillis(checkpointMs));
            if (Boolean.parseBoolean(a.get("--results-json", "false"))) {
                // Every result mirrored as JSON too (jigsaw.topic.results-json): what that costs per request.
                conf.set(JigsawOptions.TOPIC_RESULTS_JSON, "results-json");
                System.out.println("results mirrored as JSON to topic results-json");
            }
            Topics topics = Topics.from(conf);
            topics.create(broker.bootstrap(), slots);
            StreamExecutionEnvironment env = BenchJob.environment(slots, work);
            JigsawJob.build(env, graph, conf, NoOpRunner.factory());
            try (AvroProducer producer = new AvroProducer(broker.bootstrap());
                 TopicReader<Result> results = new TopicReader<>(broker.bootstrap(), topics.results(), Result.class)) {
                producer.send(topics.plans(), graph.name(), PlanAvro.toAvro(plan(graph, batch, 5, slots, 1))).get();
                for (int i = 0; i < records.size(); i++) {
                    producer.sendBytes(topics.requests(), id(warmup, i), records.get(i));
                }
                producer.flush();
                JobClient job = env.executeAsync("framework-bench");
                List<Result> got = BenchJob.collect(results, warmup, 900_000);
                // Several timed rounds, none under JFR: on 2 cores one round's figure moves by up to ±40 % (the JIT
                // still compiling, GC, the broker's flushes), so the median is the figure; the profile is a round of its own.
                double[] perCore = new double[rounds];
                for (int round = 0; round < rounds; round++) {
                    Rate served = timedRound(results, broker, warmup + (round + 1) * requests, got);
                    perCore[round] = served.perCore();
                    System.out.printf("Flink job, round %d: %8.1f requests/s  %.2f cores  %.3f ms CPU/request  (%.2f of the cores: the broker)  "
                            + "%.1f requests/s per core%n", round + 1, served.rps, served.cores, served.cpuMsPerRequest(), served.brokerCores,
                            served.perCore());
                }
                double crops = got.stream().mapToDouble(r -> r.getObjects().size()).average().orElse(0);
                double[] sorted = perCore.clone();
                Arrays.sort(sorted);
                double median = Percentiles.ofSorted(sorted, 0.5);
                System.out.printf("per core used:   raw %.1f, job median %.1f requests/s (rounds %s; %.2f objects per result): job/raw %.3f%n",
                        raw.perCore(), median, Arrays.toString(Arrays.stream(perCore).map(v -> Math.round(v * 10) / 10.0).toArray()), crops,
                        median / raw.perCore());
                if (jfr) {
                    CpuProfile profile = CpuProfile.start();
                    long jvmCpu = InProcessCluster.jvmCpuNanos();
                    int before = got.size();
                    Rate profiled = timedRound(results, broker, records.size(), got);
                    System.out.printf("profiled round (JFR on): %.1f requests/s per core%n", profiled.perCore());
                    profile.stopAndPrint(work.resolve("framework.jfr"), (InProcessCluster.jvmCpuNanos() - jvmCpu) / 1e6 / (got.size() - before),
                            System.out);
                }

                // Latency at low load: batch 1, one request at a time.
                producer.send(topics.plans(), graph.name(), PlanAvro.toAvro(plan(graph, 1, 0, slots, 2))).get();
                Thread.sleep(1000);
                double[] perHop = new double[probes];
                double[] e2e = new double[probes];
                int hops = 0;
                for (int i = 0; i < probes; i++) {
                    Thread.sleep(10);
                    long sent = System.currentTimeMillis();
                    producer.send(topics.requests(), "l" + i, Frames.scene("l" + i, graph.name(), spec, sent, 0, i)).get();
                    Result r = BenchJob.collect(results, 1, 30_000).get(0);
                    hops = r.getHops();
                    perHop[i] = r.getTransferMs() / Math.max(1, r.getHops());
                    e2e[i] = r.getLatencyMs();
                }
                Arrays.sort(perHop);
                Arrays.sort(e2e);
                System.out.printf("at low load (%d requests one at a time): end-to-end p50 %.1f ms, p99 %.1f ms; framework per hop "
                        + "(%d hops on the slowest branch) p50 %.3f ms, p99 %.3f ms (goal p99 <= 2 ms)%n", probes,
                        Percentiles.ofSorted(e2e, 0.5), Percentiles.ofSorted(e2e, 0.99), hops,
                        Percentiles.ofSorted(perHop, 0.5), Percentiles.ofSorted(perHop, 0.99));
                job.cancel().get();
            }
        } finally {
            // Its records are the benchmark's own: a few GB a run, which filled the disk when kept.
            broker.discard();
        }
    }

    /**
     * Results until {@code got} holds {@code total}, timed: requests/s over the window in which they arrived and
     * the cores (this JVM and the broker) used in the same window. With several request partitions warm-up and
     * timed records interleave, so the window, not the records' ids, splits the phases; a poll may bring a few
     * more than asked, which count in the round that read them.
     */
    private static Rate timedRound(TopicReader<Result> results, KafkaBroker broker, int total, List<Result> got) throws Exception {
        long jvmCpu = InProcessCluster.jvmCpuNanos();
        long brokerCpu = broker.cpuTime().toNanos();
        long start = System.nanoTime();
        int before = got.size();
        got.addAll(BenchJob.collect(results, total - before, 600_000));
        int requests = got.size() - before;
        double wall = System.nanoTime() - start;
        double jvmCores = (InProcessCluster.jvmCpuNanos() - jvmCpu) / wall;
        double brokerCores = (broker.cpuTime().toNanos() - brokerCpu) / wall;
        return new Rate(requests / (wall / 1e9), jvmCores + brokerCores, brokerCores);
    }

    /** Requests per second and the cores used meanwhile (this JVM and the broker). */
    private record Rate(double rps, double cores, double brokerCores) {
        double perCore() {
            return rps / cores;
        }

        double cpuMsPerRequest() {
            return cores * 1000 / rps;
        }
    }

    /**
     * Reads every request record and writes it back out, as a server that does nothing else would: the
     * first half warms the clients up, the second is timed. Producer settings as the job's results sink
     * (acks all, no linger).
     */
    private static Rate rawLoop(KafkaBroker broker, Records records) throws Exception {
        int timed = records.timed();
        Properties pp = KafkaConnection.plain(broker.bootstrap()).properties();
        pp.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        pp.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        pp.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        pp.put(ProducerConfig.ACKS_CONFIG, "all");
        Properties cp = KafkaConnection.plain(broker.bootstrap()).properties();
        cp.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        cp.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        cp.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (Admin admin = Admin.create(KafkaConnection.plain(broker.bootstrap()).properties())) {
            admin.createTopics(List.of(new NewTopic("raw-in", 1, (short) 1), new NewTopic("raw-out", 1, (short) 1))).all()
                    .get(60, TimeUnit.SECONDS);
        }
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pp)) {
            for (int i = 0; i < records.size(); i++) {
                producer.send(new ProducerRecord<>("raw-in", id(records.warmup(), i).getBytes(), records.get(i)));
            }
            producer.flush();
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(cp)) {
                TopicPartition in = new TopicPartition("raw-in", 0);
                consumer.assign(List.of(in));
                consumer.seekToBeginning(List.of(in));
                int warm = records.size() - timed;
                int seen = 0;
                long start = 0;
                long jvmCpu = 0;
                long brokerCpu = 0;
                long until = System.currentTimeMillis() + 900_000;
                while (seen < records.size()) {
                    if (System.currentTimeMillis() > until) {
                        throw new IllegalStateException("the raw loop read only " + seen + " of " + records.size() + " records in 15 min");
                    }
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                        producer.send(new ProducerRecord<>("raw-out", r.key(), r.value()));
                        if (++seen == warm) {
                            producer.flush();
                            start = System.nanoTime();
                            jvmCpu = InProcessCluster.jvmCpuNanos();
                            brokerCpu = broker.cpuTime().toNanos();
                        }
                    }
                }
                producer.flush();
                double wall = System.nanoTime() - start;
                double brokerCores = (broker.cpuTime().toNanos() - brokerCpu) / wall;
                return new Rate(timed / (wall / 1e9), (InProcessCluster.jvmCpuNanos() - jvmCpu) / wall + brokerCores, brokerCores);
            }
        }
    }

    /** Request id of record i: warm-up ones start with "w", timed ones with "t". */
    private static String id(int warmup, int i) {
        return (i < warmup ? "w" : "t") + i;
    }

    /** Warm-up records then timed ones, each encoded when asked for. */
    private record Records(int warmup, int timed, java.util.function.IntFunction<byte[]> make) {
        int size() {
            return warmup + timed;
        }

        byte[] get(int i) {
            return make.apply(i);
        }
    }

    /** Every task on a "GPU" of its own, one partition per slot, its first variant, the given batching. */
    private static Plan plan(Graph graph, int batch, double timeoutMs, int slots, long version) {
        List<TaskPlan> tasks = new ArrayList<>();
        for (Task t : graph.tasks()) {
            List<Partition> parts = new ArrayList<>();
            for (int i = 0; i < slots; i++) {
                parts.add(new Partition(tasks.size(), 100.0 / slots));
            }
            tasks.add(new TaskPlan(t.name(), t.variants().get(0).name(), batch, timeoutMs, graph.latencySloMs() / 2, parts));
        }
        return new Plan(graph.name(), version, "framework-bench", "", tasks);
    }


}
