package io.jigsaw.bench;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.GraphLoader;
import io.jigsaw.core.plan.Plan;
import io.jigsaw.core.plan.PlanAvro;
import io.jigsaw.core.trace.TraceFiles;
import io.jigsaw.job.JigsawOptions;
import io.jigsaw.job.broker.KafkaBroker;
import io.jigsaw.job.cluster.InProcessCluster;
import io.jigsaw.job.kafka.AvroProducer;
import io.jigsaw.job.kafka.DistinctResults;
import io.jigsaw.job.kafka.TopicReader;
import io.jigsaw.job.kafka.Topics;
import io.jigsaw.job.replay.TraceReplayer;
import io.jigsaw.job.report.ResultStats;
import io.jigsaw.job.sidecar.PlannerSidecar;
import io.jigsaw.job.topology.JigsawJob;
import io.jigsaw.planner.capacity.CapacitySearch;
import io.jigsaw.planner.capacity.FrameworkCpu;
import io.jigsaw.planner.model.PlanningInstance;
import io.jigsaw.planner.model.Policy;
import io.jigsaw.planner.model.SolvedPlan;
import io.jigsaw.planner.profile.Profile;
import io.jigsaw.planner.profile.ProfileLoader;
import io.jigsaw.planner.profile.ShareGrid;
import io.jigsaw.planner.solver.PlanSolver;
import io.jigsaw.planner.solver.SolverSettings;
import io.jigsaw.runtime.DjlVariantRunner;
import io.jigsaw.runtime.SavedModelSignatures;
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
 * probe serves a fixed plan the planner made for that rate.
 *
 * <p>Between the two, calibration probes measure the cores busy with no request and the CPU the machine
 * spends per request, and derive the framework's share of it ({@link FrameworkCpu}) at half the claim, then
 * at the rate claimed with the figure so far, until the claim settles; the claim is made again with those
 * figures (what {@code bin/jigsaw capacity --gpus 1 --framework-idle-cores I --framework-cpu-ms F} prints)
 * and the bisection runs the plans of the calibrated planner. Prints both claims, the measured capacity and
 * measured / planned.
 *
 * Args: --graph G --work DIR [--profile CSV] [--warmup-seconds 60] [--idle-seconds 10] [--calibrations 3] [--probe-seconds 20] [--probes 6] [--slots 2] [--target 0.99]
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
        int warmupSeconds = Integer.parseInt(a.get("--warmup-seconds", "60"));
        int idleSeconds = Integer.parseInt(a.get("--idle-seconds", "10"));
        int calibrations = Integer.parseInt(a.get("--calibrations", "3"));
        int slots = Integer.parseInt(a.get("--slots", "2"));
        double target = Double.parseDouble(a.get("--target", "0.99"));
        Path work = Files.createDirectories(Path.of(a.get("--work", "bench-work")));

        Configuration conf = new Configuration();
        conf.set(JigsawOptions.REPLICA_SLOTS, slots);
        Profile profile = ProfileLoader.load(graph, graphFile, List.of(profileFile), null, ShareGrid.mps(10));
        double declaredFrameworkMs = conf.get(JigsawOptions.PLANNER_FRAMEWORK_CPU_MS);
        double declaredIdleCores = conf.get(JigsawOptions.PLANNER_FRAMEWORK_IDLE_CORES);
        PlanningInstance declared = template(graph, profile, declaredFrameworkMs, declaredIdleCores, conf);
        PlanSolver solver = new PlanSolver(SolverSettings.defaults());
        double declaredClaim = capacity(declared);
        System.out.printf(Locale.ROOT, "planned capacity: %.1f req/s (policy jigsaw, 1 GPU = this machine, profile %s, planned to %.0f ms "
                + "= the %.0f ms SLO less the delivery allowance, %.2f idle cores and %.2f CPU ms per request kept for the framework: "
                + "the configured figures; %s)%n", declaredClaim, profileFile, declared.graph().latencySloMs(),
                graph.latencySloMs(), declaredIdleCores, declaredFrameworkMs, profile.derivedRows() > 0
                        ? profile.derivedRows() + " DERIVED partition rows" : "every row measured");

        KafkaBroker broker = KafkaBroker.start(work.resolve("kafka-" + System.nanoTime()), Duration.ofSeconds(120));
        try {
            conf.set(JigsawOptions.BOOTSTRAP, broker.bootstrap());
            Topics topics = Topics.from(conf);
            topics.create(broker.bootstrap(), slots);
            StreamExecutionEnvironment env = BenchJob.environment(slots, work);
            JigsawJob.build(env, graph, conf, DjlVariantRunner.factory());
            try (AvroProducer producer = new AvroProducer(broker.bootstrap());
                 DistinctResults results = new DistinctResults(new TopicReader<>(broker.bootstrap(), topics.results(), Result.class))) {
                Probe probe = new Probe(graph, solver, producer, results, topics, broker);
                probe.plan(declared, declaredClaim);
                double calibrationRate = Math.max(1, declaredClaim / 2);
                probe.publish(calibrationRate);
                JobClient job = env.executeAsync("capacity-bench");
                // Warm-up at the calibration rate: on 2 busy cores the JIT compiles for the first minute or so, and
                // a probe taken meanwhile measured up to 1.5x the CPU per request of later ones at higher rates.
                probe.serve(calibrationRate, warmupSeconds);

                // Calibration. The planner's model of the machine's CPU is linear: idle cores, plus per request the models'
                // CPU (from the profile) and the framework's. The idle cores are measured with no request sent; the
                // framework's per request is what a request adds above idle, less what the planner's model says the
                // plan's models took (two replica slots, real models, the load generator and reader on the same cores).
                // The machine is not linear: per request it spends less as the load rises (Kafka's fetches and produce
                // requests carry more records each), so the figure is measured where the claim is about: at the rate
                // claimed, again, until the claim moves by less than 5 % (at most `calibrations` times).
                double idleCores = probe.idle(idleSeconds);
                System.out.printf(Locale.ROOT, "  calibration: %.2f cores with no requests for %d s (this JVM: job, load generator, reader; "
                        + "and the broker)%n", idleCores, idleSeconds);
                double claim = declaredClaim;
                double rate = calibrationRate;
                double frameworkMs = declaredFrameworkMs;
                PlanningInstance calibrated = declared;
                for (int round = 1; round <= calibrations; round++) {
                    Served calibration = probe.serve(rate, probeSeconds);
                    double perRequestMs = calibration.cpuMsPerRequestAbove(idleCores);
                    frameworkMs = FrameworkCpu.derive(probe.lastPlan(), perRequestMs);
                    calibrated = template(graph, profile, frameworkMs, idleCores, conf);
                    double next = capacity(calibrated);
                    System.out.printf(Locale.ROOT, "  calibration %d at %.1f req/s for %d s: %.2f cores, %.2f CPU ms per request above idle; "
                            + "the plan's models %.2f ms in the planner's model -> framework %.2f CPU ms per request (DERIVED) -> claim %.1f "
                            + "req/s%n", round, rate, probeSeconds, calibration.cores(), perRequestMs,
                            FrameworkCpu.modelCpuMsPerRequest(probe.lastPlan()), frameworkMs, next);
                    boolean settled = Math.abs(next - claim) < 0.05 * claim;
                    claim = next;
                    probe.plan(calibrated, claim);
                    rate = claim;
                    if (settled) {
                        break;
                    }
                }
                System.out.printf(Locale.ROOT, "planned capacity, calibrated: %.1f req/s (the same planner and profile keeping %.2f idle cores "
                        + "and %.2f CPU ms per request free for the framework)%n", claim, idleCores, frameworkMs);

                // Bisection on [0, 1.5 x the larger claim]: the measured capacity may be above either.
                double lo = 0;
                double hi = Math.max(2, 1.5 * Math.max(claim, declaredClaim));
                boolean failed = false;
                for (int i = 0; i < probes; i++) {
                    rate = (lo + hi) / 2;
                    Served served = probe.serve(rate, probeSeconds);
                    boolean ok = served.attained() >= target;
                    System.out.printf(Locale.ROOT, "  probe %d: %.1f req/s for %d s -> SLO attainment as the client read it %.4f %s; %.2f cores, "
                            + "%.2f CPU ms per request%n", i + 1, rate, probeSeconds, served.attained(), ok ? "(served)" : "(not served)",
                            served.cores(), served.cpuMsPerRequest());
                    if (ok) {
                        lo = rate;
                    } else {
                        hi = rate;
                        failed = true;
                    }
                }
                System.out.printf(Locale.ROOT, "measured capacity: %.1f req/s (highest probe with >= %.0f %% SLO attainment as the client "
                        + "read it; %s)%n", lo, 100 * target, failed ? String.format(Locale.ROOT, "the next failing probe %.1f", hi)
                        : String.format(Locale.ROOT, "every probe served: it may be above the bisection's top, %.1f", hi));
                System.out.printf(Locale.ROOT, "measured / planned (calibrated): %.2f (goal >= 0.8); the configured figures' claim against "
                        + "the capacity measured under the calibrated planner's plans: %.2f%n", lo / claim, lo / declaredClaim);
                job.cancel().get();
            }
        } finally {
            // Its records are the benchmark's own: a few GB a run, which filled the disk when kept.
            broker.discard();
        }
    }

    /** The planning instance `bin/jigsaw capacity --gpus 1` plans with, keeping the framework's CPU free (idle, and per request). */
    private static PlanningInstance template(Graph graph, Profile profile, double frameworkMs, double idleCores, Configuration conf) {
        return PlannerSidecar.withinDeliveredSlo(new PlanningInstance(graph, profile, 1, 1, ShareGrid.mps(10), Policy.JIGSAW, 0.9,
                PlanningInstance.AccuracyRule.TRAFFIC_WEIGHTED_MEAN, true).withFrameworkCpu(frameworkMs, idleCores), conf);
    }

    private static double capacity(PlanningInstance template) {
        return new CapacitySearch(new PlanSolver(SolverSettings.defaults().firstFeasible())::solve, 0.02).search(template, p -> { })
                .capacityRps();
    }

    /** What one probe measured: SLO attainment as read (requests without a result missed) and the CPU it took. */
    private record Served(double attained, long sent, double cores, double wallSeconds) {
        double cpuMsPerRequest() {
            return cpuMsPerRequestAbove(0);
        }

        /** CPU per request above {@code idleCores} busy anyway. */
        double cpuMsPerRequestAbove(double idleCores) {
            return sent == 0 ? Double.NaN : (cores - idleCores) * wallSeconds * 1000 / sent;
        }
    }

    /** One rate served by the real job under the plan made for it. */
    private static final class Probe {
        private final Graph graph;
        private final PlanSolver solver;
        private final AvroProducer producer;
        private final DistinctResults results;
        private final Topics topics;
        private final KafkaBroker broker;
        private PlanningInstance template;
        /** Rates above it are served with the plan for it: the planner has none bigger. */
        private double plannedCapacity;
        private SolvedPlan lastPlan;
        private long version;
        private long seed;

        Probe(Graph graph, PlanSolver solver, AvroProducer producer, DistinctResults results, Topics topics, KafkaBroker broker) {
            this.graph = graph;
            this.solver = solver;
            this.producer = producer;
            this.results = results;
            this.topics = topics;
            this.broker = broker;
        }

        /** Plans from now on with this instance, up to its capacity. */
        void plan(PlanningInstance instance, double capacity) {
            this.template = instance;
            this.plannedCapacity = capacity;
        }

        SolvedPlan lastPlan() {
            return lastPlan;
        }

        void publish(double rate) throws Exception {
            SolvedPlan solved = solver.solve(template.withDemand(Math.min(rate, plannedCapacity)));
            if (!solved.feasible()) {
                throw new IllegalStateException("the planner finds no plan for " + rate + " req/s: " + solved);
            }
            lastPlan = solved;
            Plan plan = solved.toPlan(++version, "capacity-bench");
            producer.send(topics.plans(), graph.name(), PlanAvro.toAvro(plan)).get();
            System.out.printf(Locale.ROOT, "  plan v%d for %.1f req/s: %s%n", version, rate, PlannerSidecar.describe(plan));
        }

        /** CPU time so far of this JVM and the broker. */
        private long cpuNanos() {
            return InProcessCluster.jvmCpuNanos() + broker.cpuTime().toNanos();
        }

        /** The cores (this JVM and the broker) busy while no request is sent, once the last probe's results are in. */
        double idle(int seconds) throws Exception {
            long drainUntil = System.currentTimeMillis() + 3000;
            while (System.currentTimeMillis() < drainUntil) {
                results.poll(Duration.ofMillis(100));
            }
            long cpu = cpuNanos();
            long start = System.nanoTime();
            long until = System.currentTimeMillis() + seconds * 1000L;
            while (System.currentTimeMillis() < until) {
                results.poll(Duration.ofMillis(100));
            }
            return (cpuNanos() - cpu) / (double) (System.nanoTime() - start);
        }

        /** Serves {@code rate} under its plan; CPU from the first request sent until the last result came (or the wait ended). */
        Served serve(double rate, int durationSeconds) throws Exception {
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
            long cpu = cpuNanos();
            long start = System.nanoTime();
            sender.start();
            long until = System.currentTimeMillis() + durationSeconds * 1000L + (long) graph.latencySloMs() + 30_000;
            while ((sender.isAlive() || stats.answered() < sent[0]) && System.currentTimeMillis() < until) {
                for (Result r : results.poll(Duration.ofMillis(100))) {
                    if (r.getRequestId().startsWith(prefix)) {
                        stats.add(r);
                    }
                }
            }
            double wall = System.nanoTime() - start;
            double cores = (cpuNanos() - cpu) / wall;
            sender.join(5000);
            // Requests without a result by the deadline count as missed, as a client would count them.
            double attained = sent[0] == 0 ? 0 : stats.visibleSloAttainment() * stats.answered() / sent[0];
            return new Served(attained, sent[0], cores, wall / 1e9);
        }
    }
}
