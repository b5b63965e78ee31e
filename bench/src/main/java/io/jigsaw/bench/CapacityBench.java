package io.jigsaw.bench;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.GraphLoader;
import io.jigsaw.core.plan.Plan;
import io.jigsaw.core.plan.PlanAvro;
import io.jigsaw.core.trace.TraceFiles;
import io.jigsaw.job.JigsawJob;
import io.jigsaw.job.JigsawOptions;
import io.jigsaw.job.demo.ResultStats;
import io.jigsaw.job.kafka.AvroProducer;
import io.jigsaw.job.kafka.DistinctResults;
import io.jigsaw.job.kafka.KafkaBroker;
import io.jigsaw.job.kafka.TopicReader;
import io.jigsaw.job.kafka.Topics;
import io.jigsaw.job.replay.TraceReplayer;
import io.jigsaw.job.sidecar.PlannerSidecar;
import io.jigsaw.operators.DjlVariantRunner;
import io.jigsaw.operators.SavedModelSignatures;
import io.jigsaw.planner.capacity.CapacitySearch;
import io.jigsaw.planner.model.PlanningInstance;
import io.jigsaw.planner.model.Policy;
import io.jigsaw.planner.model.SolvedPlan;
import io.jigsaw.planner.profile.Profile;
import io.jigsaw.planner.profile.ProfileLoader;
import io.jigsaw.planner.profile.ShareGrid;
import io.jigsaw.planner.solver.PlanSolver;
import io.jigsaw.planner.solver.SolverSettings;
import io.jigsaw.schemas.Result;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Planned capacity against measured capacity, on one machine in one run: the capacity the planner claims
 * for the demo graph on one "GPU" (what {@code bin/jigsaw capacity --gpus 1} prints, delivery allowance
 * included), and the highest Poisson rate the real job (MiniCluster, real broker, DJL models) serves with
 * at least 99 % of requests answered within the SLO as the client reads them, found by bisection; each
 * probe serves a fixed plan the planner made for that rate. Prints both and measured / planned.
 *
 * Args: --graph G --work DIR [--profile CSV] [--probe-seconds 20] [--probes 6] [--slots 2] [--target 0.99]
 */
public final class CapacityBench {

    public static void main(String[] args) {
        BenchJob.runAndExit(() -> run(args));
    }

    private static void run(String[] args) throws Exception {
        BenchArgs a = new BenchArgs(args);
        Path graphFile = Path.of(a.get("--graph", null));
        Graph graph = GraphLoader.load(graphFile);
        SavedModelSignatures.check(graph);
        Path profileFile = Path.of(a.get("--profile", graphFile.resolveSibling("profile-cpu-2t.csv").toString()));
        int probeSeconds = Integer.parseInt(a.get("--probe-seconds", "20"));
        int probes = Integer.parseInt(a.get("--probes", "6"));
        int slots = Integer.parseInt(a.get("--slots", "2"));
        double target = Double.parseDouble(a.get("--target", "0.99"));
        Path work = Files.createDirectories(Path.of(a.get("--work", "bench-work")));

        Configuration conf = new Configuration();
        conf.set(JigsawOptions.REPLICA_SLOTS, slots);
        Profile profile = ProfileLoader.load(graph, graphFile, List.of(profileFile), null, ShareGrid.mps(10));
        PlanningInstance template = PlannerSidecar.withinDeliveredSlo(new PlanningInstance(graph, profile, 1, 1, ShareGrid.mps(10),
                Policy.JIGSAW, 0.9, PlanningInstance.AccuracyRule.TRAFFIC_WEIGHTED_MEAN, true)
                .withFrameworkCpu(conf.get(JigsawOptions.PLANNER_FRAMEWORK_CPU_MS)), conf);
        PlanSolver solver = new PlanSolver(SolverSettings.defaults());
        CapacitySearch.Result planned = new CapacitySearch(new PlanSolver(SolverSettings.defaults().firstFeasible())::solve, 0.02)
                .search(template, p -> { });
        System.out.printf(Locale.ROOT, "planned capacity: %.1f req/s (policy jigsaw, 1 GPU = this machine, profile %s, planned to %.0f ms "
                + "= the %.0f ms SLO less the delivery allowance, %.1f CPU ms per request kept for the framework; %s)%n",
                planned.capacityRps(), profileFile, template.graph().latencySloMs(), graph.latencySloMs(),
                conf.get(JigsawOptions.PLANNER_FRAMEWORK_CPU_MS), profile.derivedRows() > 0
                        ? profile.derivedRows() + " DERIVED partition rows" : "every row measured");

        try (KafkaBroker broker = KafkaBroker.start(work.resolve("kafka-" + System.nanoTime()), Duration.ofSeconds(120))) {
            conf.set(JigsawOptions.BOOTSTRAP, broker.bootstrap());
            Topics topics = Topics.from(conf);
            topics.create(broker.bootstrap(), slots);
            StreamExecutionEnvironment env = BenchJob.environment(slots, work);
            JigsawJob.build(env, graph, conf, DjlVariantRunner.factory());
            try (AvroProducer producer = new AvroProducer(broker.bootstrap());
                 DistinctResults results = new DistinctResults(new TopicReader<>(broker.bootstrap(), topics.results(), Result.class))) {
                Probe probe = new Probe(graph, template, solver, producer, results, topics, planned.capacityRps());
                probe.publish(Math.max(1, planned.capacityRps() / 4));
                JobClient job = env.executeAsync("capacity-bench");
                probe.serve(Math.max(1, planned.capacityRps() / 4), 10);
                // Bisection on [0, 1.5 x planned]: the measured capacity may be above the claim too.
                double lo = 0;
                double hi = Math.max(2, 1.5 * planned.capacityRps());
                for (int i = 0; i < probes; i++) {
                    double rate = (lo + hi) / 2;
                    double attained = probe.serve(rate, probeSeconds);
                    boolean ok = attained >= target;
                    System.out.printf(Locale.ROOT, "  probe %d: %.1f req/s for %d s -> SLO attainment as the client read it %.4f %s%n",
                            i + 1, rate, probeSeconds, attained, ok ? "(served)" : "(not served)");
                    if (ok) {
                        lo = rate;
                    } else {
                        hi = rate;
                    }
                }
                System.out.printf(Locale.ROOT, "measured capacity: %.1f req/s (highest probe with >= %.0f %% SLO attainment as the client "
                        + "read it; the next failing probe %.1f)%n", lo, 100 * target, hi);
                System.out.printf(Locale.ROOT, "measured / planned: %.2f (goal >= 0.8)%n", lo / planned.capacityRps());
                job.cancel().get();
            }
        }
    }

    /** One rate served by the real job under the plan made for it. */
    private static final class Probe {
        private final Graph graph;
        private final PlanningInstance template;
        private final PlanSolver solver;
        private final AvroProducer producer;
        private final DistinctResults results;
        private final Topics topics;
        /** Rates above it are served with the plan for it: the planner has none bigger. */
        private final double plannedCapacity;
        private long version;
        private long seed;

        Probe(Graph graph, PlanningInstance template, PlanSolver solver, AvroProducer producer, DistinctResults results, Topics topics,
                double plannedCapacity) {
            this.graph = graph;
            this.template = template;
            this.solver = solver;
            this.producer = producer;
            this.results = results;
            this.topics = topics;
            this.plannedCapacity = plannedCapacity;
        }

        void publish(double rate) throws Exception {
            SolvedPlan solved = solver.solve(template.withDemand(Math.min(rate, plannedCapacity)));
            if (!solved.feasible()) {
                throw new IllegalStateException("the planner finds no plan for " + rate + " req/s: " + solved);
            }
            Plan plan = solved.toPlan(++version, "capacity-bench");
            producer.send(topics.plans(), graph.name(), PlanAvro.toAvro(plan)).get();
            System.out.printf(Locale.ROOT, "  plan v%d for %.1f req/s: %s%n", version, rate, PlannerSidecar.describe(plan));
        }

        /** @return the share of its requests answered within the SLO as read (dropped ones missed) */
        double serve(double rate, int durationSeconds) throws Exception {
            publish(rate);
            Thread.sleep(2000);
            results.poll(Duration.ofMillis(200));
            ResultStats stats = new ResultStats(graph.latencySloMs());
            String prefix = "cap-" + version + "-";
            TraceReplayer replayer = new TraceReplayer(producer, topics.requests(), List.of(graph), new double[] {1}, prefix, true);
            long[] sent = new long[1];
            Thread sender = new Thread(() -> {
                try {
                    sent[0] = replayer.replay(TraceFiles.open(String.format(Locale.ROOT, "poisson:rate=%s,duration=%d,seed=%d", rate,
                            durationSeconds, ++seed)), 1, 1, seed, () -> false, (n, total) -> { });
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "capacity-probe");
            sender.start();
            long until = System.currentTimeMillis() + durationSeconds * 1000L + (long) graph.latencySloMs() + 30_000;
            while ((sender.isAlive() || stats.answered() < sent[0]) && System.currentTimeMillis() < until) {
                for (Result r : results.poll(Duration.ofMillis(100))) {
                    if (r.getRequestId().startsWith(prefix)) {
                        stats.add(r);
                    }
                }
            }
            sender.join(5000);
            // Requests without a result by the deadline count as missed, as a client would count them.
            return sent[0] == 0 ? 0 : stats.visibleSloAttainment() * stats.answered() / sent[0];
        }
    }
}
