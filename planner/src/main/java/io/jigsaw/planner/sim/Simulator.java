package io.jigsaw.planner.sim;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.Task;
import io.jigsaw.core.graph.Variant;
import io.jigsaw.core.plan.Adaptation;
import io.jigsaw.core.plan.Partition;
import io.jigsaw.core.plan.Plan;
import io.jigsaw.core.plan.Slack;
import io.jigsaw.core.plan.TaskPlan;
import io.jigsaw.core.serving.CpuShares;
import io.jigsaw.core.serving.Draws;
import io.jigsaw.core.serving.ReplicaPace;
import io.jigsaw.core.serving.ReplicaPolicy;
import io.jigsaw.core.stats.DoubleSeries;
import io.jigsaw.core.stats.Percentiles;
import io.jigsaw.core.trace.Trace;
import io.jigsaw.planner.adapt.Confidence;
import io.jigsaw.planner.adapt.PlanAdapter;
import io.jigsaw.planner.model.PlanningInstance;
import io.jigsaw.planner.model.SolvedPlan;
import io.jigsaw.planner.online.DemandEstimator;
import io.jigsaw.planner.online.ReplanRule;
import io.jigsaw.planner.online.Replanner;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.function.DoubleConsumer;
import java.util.function.Function;

/**
 * A discrete-event simulation of one policy serving a trace with the profiles — a SIMULATION, and
 * labelled so wherever it is reported. Each replica follows the job's own rules, the same code
 * ({@link ReplicaPolicy}, {@link Draws}): pieces go to a task's replicas (the plan's partitions) drawn
 * by the planned weights (a split task's replicas run their own variant and batch size); a replica
 * runs a batch when its queue holds the plan's batch size or the first piece it has seen since its last
 * batch has waited the plan's timeout; a piece whose batch would end after its deadline at the replica's
 * pace (its last batch here) is dropped, and so is its request; a batch takes a profile-sampled time; a
 * finished piece fans out to each child with the variant's multiplicity; a request ends when its last
 * piece ends. The plans come from the sidecar's own {@link Replanner} fed with simulated root telemetry;
 * a new plan takes effect after the plan-change delay, and the pieces queued under the old one move to
 * the new replicas (nothing is lost). A plan's per-request adaptation ({@link PlanAdapter}) runs as in the
 * job: a ladder picks each batch's rung by its tightest piece's slack after the planned budgets below; a
 * cascade's first stage marks a piece of low confidence with the validation split's escalation
 * probability, and the job's rule decides whether it runs again (kept and escalated pieces at their
 * validation accuracies).
 */
public final class Simulator {

    /**
     * @param telemetryInterval how often the root reports arrivals (and the re-planner ticks)
     * @param planChangeDelay from a decision to the plan serving (solve, broadcast, model load)
     * @param replan false: the first plan serves the whole trace
     * @param commitInterval results are visible at the next multiple of it (exactly-once commits); zero: at once
     */
    public record Settings(Duration telemetryInterval, Duration smoothing, ReplanRule rule, Duration planChangeDelay, boolean earlyDrop,
            boolean replan, long seed, Duration commitInterval, JobTerms terms) {

        public static Settings defaults() {
            return new Settings(Duration.ofSeconds(1), Duration.ofSeconds(3), ReplanRule.defaults(), Duration.ofMillis(500), true, true, 1, Duration.ZERO,
                    JobTerms.NONE);
        }

        public Settings withSeed(long newSeed) {
            return new Settings(telemetryInterval, smoothing, rule, planChangeDelay, earlyDrop, replan, newSeed, commitInterval, terms);
        }

        public Settings withReplan(boolean on) {
            return new Settings(telemetryInterval, smoothing, rule, planChangeDelay, earlyDrop, on, seed, commitInterval, terms);
        }

        public Settings withEarlyDrop(boolean on) {
            return new Settings(telemetryInterval, smoothing, rule, planChangeDelay, on, replan, seed, commitInterval, terms);
        }

        /**
         * Results become visible to the client only at the next multiple of {@code every} (exactly-once
         * delivery: the checkpoint that commits them); zero: the moment they are assembled.
         */
        public Settings withCommitInterval(Duration every) {
            return new Settings(telemetryInterval, smoothing, rule, planChangeDelay, earlyDrop, replan, seed, every, terms);
        }

        /** What the real job adds to the models' times ({@link JobTerms}); none by default. */
        public Settings withJobTerms(JobTerms newTerms) {
            return new Settings(telemetryInterval, smoothing, rule, planChangeDelay, earlyDrop, replan, seed, commitInterval, newTerms);
        }

        public Settings withPlanChangeDelay(Duration delay) {
            return new Settings(telemetryInterval, smoothing, rule, delay, earlyDrop, replan, seed, commitInterval, terms);
        }
    }

    private static final int ARRIVAL = 0;
    private static final int TIMEOUT = 1;
    private static final int DONE = 2;
    private static final int TELEMETRY = 3;
    private static final int APPLY = 4;
    /** A piece reaches its next task after a hop ({@link JobTerms#hopMs}). */
    private static final int HOP = 5;
    /** A request's framework CPU is done: it enters the graph. */
    private static final int FRAMEWORK = 6;

    private record Hop(TaskState task, Piece piece) {
    }

    private record Event(double t, long seq, int type, Object ref) implements Comparable<Event> {
        @Override
        public int compareTo(Event o) {
            int c = Double.compare(t, o.t);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    // The event loop's plain mutable state, one small class per thing simulated (piece, replica, task).
    private static final class Piece {
        final int request;
        final double accuracy;
        double enqueuedMs;

        Piece(int request, double accuracy) {
            this.request = request;
            this.accuracy = accuracy;
        }
    }

    private static final class Replica {
        final TaskState task;
        final double share;
        final ArrayDeque<Piece> queue = new ArrayDeque<>();
        boolean busy;
        boolean retired;
        double timerAt = Double.NaN;
        List<Piece> running;
        double startedMs;
        /** What the running batch runs (a ladder's rung, or a cascade's larger variant in its second stage). */
        Variant runningVariant;
        /** In a cascade's second stage: what its first stage did (the escalated pieces' accuracy); null otherwise. */
        Confidence.Outcome escalatedBy;

        /** What the running batch takes (sampled from the profile); the replica's pace once it has run. */
        double runningMs;
        /** Its threads while it runs a batch, on a CPU device with the job's terms (0 otherwise); its share as that many threads. */
        final int threads;
        final double threadShare;
        /** When the replica last finished a batch: the job sees no piece while it runs one, so a timeout counts from then. */
        double freeSinceMs;
        final ReplicaPace pace = new ReplicaPace();

        /** What this replica runs: the task's variant and batch, or its own under a traffic split. */
        final Variant variant;
        final int batch;

        Replica(TaskState task, double share, Variant variant, int batch, int cpuThreads) {
            this.task = task;
            this.share = share;
            this.variant = variant;
            this.batch = batch;
            this.threads = cpuThreads == 0 ? 0 : CpuShares.threads(share, cpuThreads);
            this.threadShare = cpuThreads == 0 ? share : 100.0 * threads / cpuThreads;
        }
    }

    private static final class TaskState {
        final Task task;
        final List<TaskState> children = new ArrayList<>();
        Variant variant;
        double timeoutMs;
        List<Replica> replicas = List.of();
        /** The plan's fraction of the task's pieces per replica. */
        double[] weights;
        Adaptation adaptation = Adaptation.NONE;
        /** The planned budget the tasks below need (a ladder's and a cascade's slack is the deadline less it). */
        double belowMs;
        long pieces;
        long batches;
        final java.util.Map<String, Long> rungBatches = new java.util.TreeMap<>();
        long cascadeInputs;
        long escalated;
        long droppedPieces;
        double waitSumMs;
        final DoubleSeries inTaskMs = new DoubleSeries();

        TaskState(Task task) {
            this.task = task;
        }
    }

    private final PlanningInstance template;
    private final Function<PlanningInstance, SolvedPlan> solver;
    private final Settings settings;
    private final PlanAdapter adapter;
    private final ReplicaPolicy policy;

    /** @param solver the planner (wrap it in {@link PlanCache} to solve each demand level once) */
    public Simulator(PlanningInstance template, Function<PlanningInstance, SolvedPlan> solver, Settings settings) {
        this(template, solver, settings, PlanAdapter.NONE);
    }

    /** @param adapter adds per-request adaptation (a ladder, a cascade) to every plan, as the sidecar does */
    public Simulator(PlanningInstance template, Function<PlanningInstance, SolvedPlan> solver, Settings settings, PlanAdapter adapter) {
        this.template = template;
        this.solver = solver;
        this.settings = settings;
        this.adapter = adapter;
        this.policy = new ReplicaPolicy(settings.earlyDrop());
    }

    /** @param progress told the fraction of the trace simulated, now and then */
    public SimulationResult run(Trace trace, DoubleConsumer progress) {
        return new Run(trace, progress).go();
    }

    /** One run's state: a simulator may run several traces. */
    private final class Run {
        final Trace trace;
        final DoubleConsumer progress;
        final Graph graph = template.graph();
        final double sloMs = graph.latencySloMs();
        /** Results are visible at multiples of it (exactly-once commits); 0: when assembled. */
        final double commitMs = settings.commitInterval().toNanos() / 1e6;
        final JobTerms terms = settings.terms();
        /** Threads of the batches running now, on a CPU device: what the framework and the next batch share the cores with. */
        int busyThreads;
        /** The framework's CPU on a CPU device: a core per request being handled, the rest waiting in order. */
        int frameworkBusy;
        final ArrayDeque<Integer> frameworkWaiting = new ArrayDeque<>();
        final PriorityQueue<Event> events = new PriorityQueue<>();
        final SplittableRandom random = new SplittableRandom(settings.seed());
        final LatencyModel latency = new LatencyModel(template.profile(), settings.seed() + 1);
        /** Cascade outcomes by (task, small, large, threshold): each is a pass over the validation samples. */
        final java.util.Map<List<Object>, java.util.Optional<Confidence.Outcome>> outcomes = new java.util.HashMap<>();
        final List<TaskState> tasks = new ArrayList<>();
        final Replanner replanner;
        long seq;
        long planningNanos;
        // Per request.
        final int[] outstanding;
        final boolean[] dropped;
        final double[] accuracySum;
        final int[] leafPieces;
        final DoubleSeries latencies = new DoubleSeries();
        long completed;
        long droppedRequests;
        long late;
        double accuracyTotal;
        long accuracyCount;
        // Plans.
        int plansApplied;
        int infeasible;
        double shareHeld;
        double shareSince;
        double shareIntegral;
        long rootArrivalsInWindow;
        final long[] perSecondArrivals;
        final long[] perSecondViolations;
        final double[] perSecondShare;

        Run(Trace trace, DoubleConsumer progress) {
            this.trace = trace;
            this.progress = progress;
            int n = trace.size();
            outstanding = new int[n];
            dropped = new boolean[n];
            accuracySum = new double[n];
            leafPieces = new int[n];
            int seconds = (int) Math.ceil((trace.durationMs() + sloMs) / 1000) + 2;
            perSecondArrivals = new long[seconds];
            perSecondViolations = new long[seconds];
            perSecondShare = new double[seconds];
            for (Task t : graph.tasks()) {
                tasks.add(new TaskState(t));
            }
            for (TaskState t : tasks) {
                graph.children(t.task.name()).forEach(c -> t.children.add(tasks.get(template.taskIndex(c.name()))));
            }
            // As the job's sidecar does: plan to what is left of the SLO once a result waits for its commit.
            double keptBack = commitMs + terms.deliveryMs();
            PlanningInstance planned = keptBack <= 0 ? template
                    : template.withGraph(graph.withLatencySlo(Math.max(1, sloMs - keptBack)));
            replanner = new Replanner(planned, this::timedSolve, settings.rule(),
                    DemandEstimator.forTelemetry(settings.telemetryInterval(), settings.smoothing()));
        }

        SolvedPlan timedSolve(PlanningInstance instance) {
            long start = System.nanoTime();
            try {
                return solver.apply(instance);
            } finally {
                planningNanos += System.nanoTime() - start;
            }
        }

        SimulationResult go() {
            long wallStart = System.nanoTime();
            Replanner.Decision first = replanner.start(Math.max(1, trace.openingRateRps()), 0);
            if (first.hasPlan()) {
                apply(adapter.adapt(first.solved().toPlan(1, "simulation"), first.solved()), 0);
            } else {
                infeasible++;
            }
            if (trace.size() > 0) {
                push(trace.atMs()[0], ARRIVAL, 0);
            }
            double intervalMs = settings.telemetryInterval().toMillis();
            if (settings.replan()) {
                push(intervalMs, TELEMETRY, null);
            }
            int nextArrival = 1;
            long handled = 0;
            while (!events.isEmpty()) {
                Event e = events.poll();
                switch (e.type()) {
                    case ARRIVAL -> {
                        int r = (Integer) e.ref();
                        arrive(r, e.t());
                        if (nextArrival < trace.size()) {
                            push(trace.atMs()[nextArrival], ARRIVAL, nextArrival);
                            nextArrival++;
                        }
                    }
                    case TIMEOUT -> {
                        Replica rep = (Replica) e.ref();
                        if (rep.timerAt == e.t()) {
                            rep.timerAt = Double.NaN;
                            tryStart(rep, e.t());
                        }
                    }
                    case DONE -> done((Replica) e.ref(), e.t());
                    case TELEMETRY -> {
                        replanner.observe(0, (long) e.t(), (long) intervalMs, rootArrivalsInWindow);
                        rootArrivalsInWindow = 0;
                        replanner.tick((long) e.t()).ifPresent(d -> {
                            if (d.hasPlan()) {
                                push(e.t() + settings.planChangeDelay().toMillis(), APPLY,
                                        adapter.adapt(d.solved().toPlan(plansApplied + 1, "simulation"), d.solved()));
                            } else {
                                infeasible++;
                            }
                        });
                        if (nextArrival < trace.size() || e.t() < trace.durationMs()) {
                            push(e.t() + intervalMs, TELEMETRY, null);
                        }
                    }
                    case APPLY -> apply((Plan) e.ref(), e.t());
                    case FRAMEWORK -> {
                        int r = (Integer) e.ref();
                        hop(tasks.get(0), new Piece(r, 1.0), e.t());
                        Integer next = frameworkWaiting.poll();
                        if (next != null) {
                            push(e.t() + terms.frameworkCpuMsPerRequest(), FRAMEWORK, next);
                        } else {
                            frameworkBusy--;
                        }
                    }
                    case HOP -> {
                        Hop h = (Hop) e.ref();
                        enqueue(h.task(), h.piece(), e.t());
                    }
                    default -> throw new IllegalStateException("event " + e.type());
                }
                if ((++handled & 0xFFFFF) == 0) {
                    progress.accept((double) nextArrival / Math.max(1, trace.size()));
                }
            }
            holdShare(Math.max(trace.durationMs(), shareSince));
            progress.accept(1.0);
            return result((System.nanoTime() - wallStart) / 1e9, planningNanos / 1e9);
        }

        void push(double t, int type, Object ref) {
            events.add(new Event(t, seq++, type, ref));
        }

        void arrive(int r, double t) {
            rootArrivalsInWindow++;
            perSecondArrivals[second(t)]++;
            TaskState root = tasks.get(0);
            outstanding[r] = 1;
            if (terms.cpuThreads() > 0 && terms.frameworkCpuMsPerRequest() > 0) {
                // Its framework CPU (decode, hops, state, delivery) is work on the same cores: it waits for one when all are busy.
                if (frameworkBusy < terms.cpuThreads()) {
                    frameworkBusy++;
                    push(t + terms.frameworkCpuMsPerRequest(), FRAMEWORK, r);
                } else {
                    frameworkWaiting.add(r);
                }
                return;
            }
            hop(root, new Piece(r, 1.0), t);
        }

        /** A piece moves on to {@code task}: at once, or after a hop when the job's hops are modelled. */
        void hop(TaskState task, Piece p, double t) {
            if (terms.hopMs() > 0) {
                push(t + terms.hopMs(), HOP, new Hop(task, p));
            } else {
                enqueue(task, p, t);
            }
        }

        void enqueue(TaskState task, Piece p, double t) {
            p.enqueuedMs = t;
            if (task.task.pseudo() && task.variant != null) {
                // A pseudo task (Loki's 'source' or 'sink') runs nothing: pass on at once.
                finishPiece(task, p, task.variant, t);
                return;
            }
            if (task.replicas.isEmpty()) {
                // No plan in force yet: nowhere to run. The request is lost to the SLO.
                dropPiece(task, p, t);
                return;
            }
            Replica rep = next(task);
            rep.queue.add(p);
            tryStart(rep, t);
        }

        /** The replica the next piece goes to, drawn by the plan's weights as the job's lane keys draw it. */
        Replica next(TaskState task) {
            return task.replicas.get(Draws.replica(task.weights, random.nextDouble()));
        }

        /** The job's batch cut and early drop ({@link ReplicaPolicy}), when the replica is free. */
        void tryStart(Replica rep, double t) {
            if (rep.busy || rep.queue.isEmpty()) {
                return;
            }
            TaskState task = rep.task;
            double due = ReplicaPolicy.timeoutAtMs(Math.max(rep.queue.peek().enqueuedMs, rep.freeSinceMs), task.timeoutMs);
            if (!ReplicaPolicy.full(rep.queue.size(), rep.batch) && t < due) {
                if (!(rep.timerAt <= due)) {
                    rep.timerAt = due;
                    push(due, TIMEOUT, rep);
                }
                return;
            }
            List<Piece> chunk = new ArrayList<>(Math.min(rep.batch, rep.queue.size()));
            while (chunk.size() < rep.batch && !rep.queue.isEmpty()) {
                chunk.add(rep.queue.poll());
            }
            List<Piece> batch = policy.onTime(chunk, this::deadlineMs, t, policy.pace(task.adaptation, rep.pace),
                    (p, why) -> dropPiece(task, p, t));
            if (batch.isEmpty()) {
                tryStart(rep, t);
                return;
            }
            rep.startedMs = t;
            Variant v = task.adaptation.ladder().isEmpty() ? rep.variant
                    : task.task.variant(ReplicaPolicy.rung(task.adaptation, ReplicaPolicy.tightestDeadlineMs(batch, this::deadlineMs), t,
                            task.belowMs, rep.pace)).orElseThrow();
            run(rep, batch, v, null, t);
        }

        double deadlineMs(Piece p) {
            return trace.atMs()[p.request] + sloMs;
        }

        /** @param escalatedBy a cascade's first stage, when this batch is its second; null otherwise */
        void run(Replica rep, List<Piece> batch, Variant v, Confidence.Outcome escalatedBy, double t) {
            rep.busy = true;
            rep.running = batch;
            rep.runningVariant = v;
            rep.escalatedBy = escalatedBy;
            rep.task.batches++;
            rep.task.rungBatches.merge(v.name(), 1L, Long::sum);
            rep.runningMs = batchMs(rep, v, batch.size());
            push(t + rep.runningMs, DONE, rep);
        }

        /**
         * A batch's time: a sample of the profile's row for the replica's share; on a CPU device with the
         * job's terms, the row of the whole threads it gets, slowed by how many threads want the cores.
         */
        double batchMs(Replica rep, Variant v, int size) {
            if (rep.threads == 0) {
                return latency.sampleMs(v.name(), rep.share, size);
            }
            double share = template.profile().row(v.name(), rep.threadShare, template.profile().batches(v.name()).iterator().next())
                    .isPresent() ? rep.threadShare : rep.share;
            busyThreads += rep.threads;
            double wanted = busyThreads + frameworkBusy + terms.frameworkIdleCores();
            return latency.sampleMs(v.name(), share, size) * Math.max(1, wanted / terms.cpuThreads());
        }

        void done(Replica rep, double t) {
            TaskState task = rep.task;
            busyThreads -= rep.threads;
            rep.pace.ran(rep.runningVariant.name(), rep.runningMs);
            Adaptation.Cascade cascade = task.adaptation.cascade();
            Confidence.Outcome outcome = null;
            if (rep.escalatedBy == null && ReplicaPolicy.firstStage(cascade, rep.runningVariant.name())) {
                outcome = outcome(task.task.name(), rep.runningVariant.name(), cascade.escalateTo(), cascade.threshold());
            }
            // A cascade's stage answers the pieces it keeps (or was given) with its own accuracy on them, not its mean.
            double factor = outcome != null ? factor(task, rep.runningVariant, outcome.keptAccuracy())
                    : rep.escalatedBy != null ? factor(task, rep.runningVariant, rep.escalatedBy.escalatedAccuracy()) : 1.0;
            List<Piece> up = new ArrayList<>();
            for (Piece p : rep.running) {
                // Low confidence drawn with the validation split's escalation rate; the rest is the job's rule.
                if (outcome != null && ReplicaPolicy.escalates(cascade, random.nextDouble() < outcome.rate(), deadlineMs(p), t, task.belowMs,
                        rep.pace)) {
                    up.add(p);
                    continue;
                }
                task.waitSumMs += rep.startedMs - p.enqueuedMs;
                task.inTaskMs.add(t - p.enqueuedMs);
                finishPiece(task, p, rep.runningVariant, factor, t);
            }
            if (outcome != null) {
                task.cascadeInputs += rep.running.size();
                task.escalated += up.size();
            }
            rep.running = null;
            rep.busy = false;
            rep.freeSinceMs = t;
            if (!up.isEmpty()) {
                // The second stage runs on the same replica, before its next batch.
                run(rep, up, task.task.variant(cascade.escalateTo()).orElseThrow(), outcome, t);
                return;
            }
            if (!rep.retired) {
                tryStart(rep, t);
            }
        }

        /** What a cascade does on the validation samples (null without them): one count per plan, not per batch. */
        Confidence.Outcome outcome(String task, String small, String large, double threshold) {
            return outcomes.computeIfAbsent(List.of(task, small, large, threshold),
                    k -> adapter.outcome(task, small, large, threshold)).orElse(null);
        }

        /** A variant's accuracy scaled by how the pieces it answers here fare against its mean on the validation samples. */
        double factor(TaskState task, Variant v, double accuracyOnThese) {
            // v "cascaded" to itself at threshold 0 escalates nothing: v alone, its mean on the validation samples.
            Confidence.Outcome alone = outcome(task.task.name(), v.name(), v.name(), 0);
            return alone == null || Double.isNaN(accuracyOnThese) || !(alone.accuracy() > 0) ? 1.0 : accuracyOnThese / alone.accuracy();
        }

        void finishPiece(TaskState task, Piece p, Variant ran, double t) {
            finishPiece(task, p, ran, 1.0, t);
        }

        void finishPiece(TaskState task, Piece p, Variant ran, double factor, double t) {
            task.pieces++;
            double accuracy = p.accuracy * (task.task.pseudo() ? 1.0 : ran.accuracy() * factor);
            if (task.children.isEmpty()) {
                accuracySum[p.request] += accuracy;
                leafPieces[p.request]++;
            }
            for (TaskState child : task.children) {
                int copies = Draws.copies(ran.fanoutTo(child.task.name()), random.nextDouble());
                outstanding[p.request] += copies;
                for (int i = 0; i < copies; i++) {
                    hop(child, new Piece(p.request, accuracy), t);
                }
            }
            if (--outstanding[p.request] == 0) {
                complete(p.request, t);
            }
        }

        void dropPiece(TaskState task, Piece p, double t) {
            task.droppedPieces++;
            if (!dropped[p.request]) {
                dropped[p.request] = true;
                droppedRequests++;
                perSecondViolations[second(trace.atMs()[p.request])]++;
            }
            if (--outstanding[p.request] == 0) {
                complete(p.request, t);
            }
        }

        void complete(int r, double t) {
            if (dropped[r]) {
                return;
            }
            completed++;
            // The client's latency: until the result can be read (under a commit interval, at the next commit).
            double assembled = t + terms.hopMs();
            double visible = (commitMs > 0 ? Math.ceil(assembled / commitMs) * commitMs : assembled) + terms.deliveryMs();
            double ms = visible - trace.atMs()[r];
            latencies.add(ms);
            if (ms > sloMs) {
                late++;
                perSecondViolations[second(trace.atMs()[r])]++;
            }
            if (leafPieces[r] > 0) {
                accuracyTotal += accuracySum[r] / leafPieces[r];
                accuracyCount++;
            }
        }

        void apply(Plan plan, double t) {
            plansApplied++;
            java.util.Map<String, Double> below = Slack.downstreamMs(graph, plan);
            double share = 0;
            for (TaskState task : tasks) {
                TaskPlan tp = plan.task(task.task.name()).orElseThrow();
                List<Piece> waiting = new ArrayList<>();
                for (Replica old : task.replicas) {
                    old.retired = true;
                    waiting.addAll(old.queue);
                    old.queue.clear();
                }
                task.variant = task.task.variant(tp.variant()).orElseThrow();
                task.timeoutMs = tp.batchTimeoutMs();
                task.adaptation = tp.adaptation();
                task.belowMs = below.getOrDefault(task.task.name(), 0.0);
                List<Replica> fresh = new ArrayList<>();
                task.weights = tp.routingWeights();
                for (int i = 0; i < tp.partitions().size(); i++) {
                    Partition part = tp.partitions().get(i);
                    fresh.add(new Replica(task, part.share(), task.task.variant(tp.variantOf(i)).orElseThrow(), tp.batchSizeOf(i),
                            terms.cpuThreads()));
                    share += part.share();
                }
                task.replicas = fresh;
                for (Piece p : waiting) {
                    next(task).queue.add(p);
                }
                fresh.forEach(rep -> tryStart(rep, t));
            }
            holdShare(t);
            shareHeld = share / template.gpus();
        }

        /** Integrates the share held up to {@code t} (percent of all GPUs) into the mean and the per-second series. */
        void holdShare(double t) {
            double from = shareSince;
            while (from < t) {
                int s = second(from);
                double to = Math.min(t, (s + 1) * 1000.0);
                perSecondShare[s] += shareHeld * (to - from) / 1000;
                from = to;
            }
            shareIntegral += shareHeld * Math.max(0, t - shareSince);
            shareSince = t;
        }

        int second(double t) {
            return Math.min(perSecondArrivals.length - 1, (int) (t / 1000));
        }

        SimulationResult result(double wallSeconds, double planningSeconds) {
            double[] sorted = latencies.toArray();
            Arrays.sort(sorted);
            List<SimulationResult.TaskStats> stats = new ArrayList<>();
            for (TaskState t : tasks) {
                double[] in = t.inTaskMs.toArray();
                Arrays.sort(in);
                stats.add(new SimulationResult.TaskStats(t.task.name(), t.pieces, t.batches,
                        t.batches == 0 ? 0 : (double) t.pieces / t.batches, t.droppedPieces,
                        in.length == 0 ? 0 : t.waitSumMs / in.length, in.length == 0 ? 0 : Percentiles.ofSorted(in, 0.99), t.rungBatches,
                        t.cascadeInputs, t.escalated));
            }
            long n = trace.size();
            double duration = Math.max(1, Math.max(trace.durationMs(), shareSince));
            int seconds = (int) Math.ceil(trace.durationMs() / 1000) + 1;
            return new SimulationResult(template.policy().cliName(), template.gpus(), n, completed, droppedRequests, late,
                    n == 0 ? 0 : 100.0 * (late + droppedRequests) / n,
                    sorted.length == 0 ? 0 : Percentiles.ofSorted(sorted, 0.5), sorted.length == 0 ? 0 : Percentiles.ofSorted(sorted, 0.99),
                    shareIntegral / duration, accuracyCount == 0 ? 0 : accuracyTotal / accuracyCount, plansApplied, infeasible, stats,
                    new SimulationResult.Timeline(Arrays.copyOf(perSecondArrivals, seconds), Arrays.copyOf(perSecondViolations, seconds),
                            Arrays.copyOf(perSecondShare, seconds)),
                    wallSeconds, planningSeconds);
        }
    }
}
