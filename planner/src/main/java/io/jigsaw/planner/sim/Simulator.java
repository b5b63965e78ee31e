package io.jigsaw.planner.sim;

import io.jigsaw.core.graph.Combinations;
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
 * finished piece fans out to each child with the variant's multiplicity; a task with several parents (a join)
 * runs once per request, when all of the request's pieces above it are in; a request ends when its last
 * piece ends. What the job adds to the models ({@link JobTerms}: hops, delivery, the framework's CPU and
 * the batches' overhead on a CPU device's shared cores) is modelled when the settings say so. The plans
 * come from the sidecar's own {@link Replanner} fed with simulated root telemetry, or one plan serves
 * throughout ({@link #run(Trace, Plan, DoubleConsumer)}); a new plan takes effect after the plan-change
 * delay, and the pieces queued under the old one move to the new replicas (nothing is lost). A plan's
 * per-request adaptation ({@link PlanAdapter}) runs as in the job: a ladder picks each batch's rung by its tightest piece's slack after the planned budgets below; a
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
    /** A piece reaches its next task after a hop ({@link JobTerms#hop}). */
    private static final int HOP = 5;
    /** The next piece of work on a CPU device's shared cores may be done ({@link Cores}). */
    private static final int CPU = 6;

    /** A piece on its way to {@code task}: the hop's time and the framework's CPU within it (0: none, or done). */
    private record Hop(TaskState task, Piece piece, double ms, double cpuMs) {
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
        /** Time in batches along the path that brought it here, as the job's breakdown counts it ("model"). */
        double pathModelMs;
        /** The framework's CPU to take it in at its task (the hops that brought it there; 0 for the root's). */
        double inCpuMs;
        /** The one piece a join passes on for its request (not one of the pieces it waits for). */
        final boolean joined;
        double enqueuedMs;

        Piece(int request, double accuracy) {
            this(request, accuracy, false);
        }

        Piece(int request, double accuracy, boolean joined) {
            this.request = request;
            this.accuracy = accuracy;
            this.joined = joined;
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

        /** What the running batch takes (sampled from the profile, or as it ran on shared cores); the replica's pace once it has run. */
        double runningMs;
        double runningSince;
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
        /** A task with several parents: its {@link Join}, which runs it once per request; null otherwise. */
        Join join;
        /** The joins below this task (it feeds them, directly or further up): each waits for its pieces here too. */
        final List<Join> feeds = new ArrayList<>();
        long cascadeInputs;
        long escalated;
        long droppedPieces;
        double waitSumMs;
        final DoubleSeries inTaskMs = new DoubleSeries();

        TaskState(Task task) {
            this.task = task;
        }
    }

    /**
     * A task with several parents runs once per request, as the job's {@code JoinBranches} does: it waits
     * until no piece of the request is left above it (none queued, running or on its way in any task it is
     * below) and then passes on one piece; a piece dropped above it means it never runs for that request.
     * A parent that sent it nothing (no object found) is waited for all the same, as the job's skip piece is.
     */
    private static final class Join {
        final TaskState task;
        /** Per request: pieces above the join, or on their way into it. */
        final int[] pending;
        final boolean[] blocked;
        final boolean[] fired;
        final double[] accuracySum;
        final int[] arrived;
        /** The slowest branch's time in batches so far. */
        final double[] pathModelMs;

        Join(TaskState task, int requests) {
            this.task = task;
            pending = new int[requests];
            blocked = new boolean[requests];
            fired = new boolean[requests];
            accuracySum = new double[requests];
            arrived = new int[requests];
            pathModelMs = new double[requests];
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
        return new Run(trace, null, progress).go();
    }

    /**
     * Serves {@code plan} throughout, as the job does a static plan file: no re-planning, its own
     * per-request adaptation (the adapter is not applied to it).
     *
     * @param progress told the fraction of the trace simulated, now and then
     */
    public SimulationResult run(Trace trace, Plan plan, DoubleConsumer progress) {
        return new Run(trace, java.util.Objects.requireNonNull(plan, "plan"), progress).go();
    }

    /** One run's state: a simulator may run several traces. */
    private final class Run {
        final Trace trace;
        /** A plan served throughout; null: the sidecar's plans. */
        final Plan fixed;
        final DoubleConsumer progress;
        final Graph graph = template.graph();
        final double sloMs = graph.latencySloMs();
        /** Results are visible at multiples of it (exactly-once commits); 0: when assembled. */
        final double commitMs = settings.commitInterval().toNanos() / 1e6;
        final JobTerms terms = settings.terms();
        /** A CPU device's cores with the job's terms: the models' batches and the framework's hops share them. */
        final Cores cores = new Cores();
        /** The framework's CPU on a CPU device: a core per request being handled, the rest waiting in order. */
        int frameworkBusy;
        /** Hops waiting for one of the framework's threads. */
        final ArrayDeque<Hop> frameworkWaiting = new ArrayDeque<>();
        /**
         * The framework's CPU per hop under the plan in force: its CPU per request spread over the hops a
         * request makes under the plan's fan-outs, the way into the graph counting twice (it also stands for
         * the result's way out). The way in is the source's; every other hop's is its receiving task's.
         */
        double cpuPerHopMs;
        final PriorityQueue<Event> events = new PriorityQueue<>();
        final SplittableRandom random = new SplittableRandom(settings.seed());
        /** The job's hop and delivery times: drawn apart from the rest, so turning them on changes no other draw. */
        final SplittableRandom jitter = new SplittableRandom(settings.seed() + 2);
        final LatencyModel latency = new LatencyModel(template.profile(), settings.seed() + 1);
        /** Cascade outcomes by (task, small, large, threshold): each is a pass over the validation samples. */
        final java.util.Map<List<Object>, java.util.Optional<Confidence.Outcome>> outcomes = new java.util.HashMap<>();
        final List<TaskState> tasks = new ArrayList<>();
        final Replanner replanner;
        long seq;
        long planningNanos;
        /** The models' CPU time on a CPU device: batch time × threads, summed. */
        double modelCpuMs;
        // Per request.
        final int[] outstanding;
        final boolean[] dropped;
        final double[] accuracySum;
        final int[] leafPieces;
        /**
         * Where the graph's accuracy is its measured combinations': per request, the pieces each (task, variant)
         * served (at {@code variantAt[task] + variant}); null otherwise.
         */
        final int[][] served;
        final int[] variantAt;
        /** The slowest branch's time in batches, per request. */
        final double[] pathModelMs;
        final DoubleSeries latencies = new DoubleSeries();
        final DoubleSeries pathModel = new DoubleSeries();
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

        Run(Trace trace, Plan fixed, DoubleConsumer progress) {
            this.trace = trace;
            this.fixed = fixed;
            this.progress = progress;
            int n = trace.size();
            outstanding = new int[n];
            dropped = new boolean[n];
            accuracySum = new double[n];
            leafPieces = new int[n];
            served = graph.measuredCombinations().isPresent() ? new int[n][] : null;
            variantAt = new int[graph.tasks().size() + 1];
            for (int i = 0; i < graph.tasks().size(); i++) {
                variantAt[i + 1] = variantAt[i] + graph.tasks().get(i).variants().size();
            }
            pathModelMs = new double[n];
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
            for (TaskState t : tasks) {
                if (t.task.after().size() > 1) {
                    t.join = new Join(t, n);
                    above(t, t.join);
                }
            }
            // As the job's sidecar does: plan to what is left of the SLO once a result waits for its commit.
            double keptBack = commitMs + terms.delivery().p50Ms();
            PlanningInstance planned = keptBack <= 0 ? template
                    : template.withGraph(graph.withLatencySlo(Math.max(1, sloMs - keptBack)));
            replanner = new Replanner(planned, this::timedSolve, settings.rule(),
                    DemandEstimator.forTelemetry(settings.telemetryInterval(), settings.smoothing()));
        }

        /** Every task above {@code task} feeds {@code join}. */
        void above(TaskState task, Join join) {
            for (String parent : task.task.after()) {
                TaskState p = tasks.get(template.taskIndex(parent));
                if (!p.feeds.contains(join)) {
                    p.feeds.add(join);
                    above(p, join);
                }
            }
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
            if (fixed != null) {
                apply(fixed, 0);
            } else {
                Replanner.Decision first = replanner.start(Math.max(1, trace.openingRateRps()), 0);
                if (first.hasPlan()) {
                    apply(adapter.adapt(first.solved().toPlan(1, "simulation"), first.solved()), 0);
                } else {
                    infeasible++;
                }
            }
            if (trace.size() > 0) {
                push(trace.atMs()[0], ARRIVAL, 0);
            }
            double intervalMs = settings.telemetryInterval().toMillis();
            if (settings.replan() && fixed == null) {
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
                    case CPU -> cores.due((Long) e.ref(), e.t());
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
            sent(root, r);
            hop(root, new Piece(r, 1.0), 2 * cpuPerHopMs, t);
        }

        /**
         * A piece moves on to {@code task} in a hop's time (drawn from the measured one). With {@code cpuMs} (a request's
         * way in: the source's fetch and decode, on a CPU device with the job's terms) that CPU comes first: work for
         * the cores beside the models, on the framework's threads (at most one per core, the others waiting in order),
         * slowed while more threads want the cores than there are, and slowing the batches meanwhile; the hop's time
         * includes it. A task's own share of a piece's CPU is part of its batch ({@link #run}).
         */
        void hop(TaskState task, Piece p, double cpuMs, double t) {
            double ms = terms.hop().sample(jitter);
            if (terms.cpuThreads() == 0 || !(cpuMs > 0)) {
                move(task, p, ms, t);
            } else if (frameworkBusy < terms.cpuThreads()) {
                frameworkBusy++;
                cores.add(new Work(cpuMs, 1, null, new Hop(task, p, ms, cpuMs)), t);
            } else {
                frameworkWaiting.add(new Hop(task, p, ms, cpuMs));
            }
        }

        /** The hop's time on the path, when the job's hops are modelled. */
        void move(TaskState task, Piece p, double ms, double t) {
            if (ms > 0) {
                push(t + ms, HOP, new Hop(task, p, ms, 0));
            } else {
                enqueue(task, p, t);
            }
        }

        /** A piece of request {@code r} is on its way to {@code task}: the joins below wait for it. */
        void sent(TaskState task, int r) {
            for (Join j : task.feeds) {
                j.pending[r]++;
            }
            if (task.join != null) {
                task.join.pending[r]++;
            }
        }

        /** A piece of request {@code r} has left {@code task} (done, or dropped): a join below may now run. */
        void left(TaskState task, int r, boolean droppedHere, double accuracy, double pathMs, double t) {
            for (Join j : task.feeds) {
                j.blocked[r] |= droppedHere;
                j.pending[r]--;
                if (j.arrived[r] == 0 && j.pending[r] == 0 && !j.blocked[r]) {
                    // Nothing came down to it (no object found): the job's skip pieces carry the request on.
                    j.accuracySum[r] = accuracy;
                    j.arrived[r] = 1;
                    j.pathModelMs[r] = pathMs;
                }
                fire(j, r, t);
            }
        }

        /** The join's last piece is in: one piece for the request enters its queue. */
        void fire(Join j, int r, double t) {
            if (j.pending[r] == 0 && !j.blocked[r] && !j.fired[r]) {
                j.fired[r] = true;
                outstanding[r]++;
                Piece joined = new Piece(r, j.accuracySum[r] / j.arrived[r], true);
                joined.pathModelMs = j.pathModelMs[r];
                joined.inCpuMs = j.arrived[r] * cpuPerHopMs;
                enqueue(j.task, joined, t);
            }
        }

        void enqueue(TaskState task, Piece p, double t) {
            p.enqueuedMs = t;
            if (task.join != null && !p.joined) {
                Join j = task.join;
                j.pending[p.request]--;
                j.accuracySum[p.request] += p.accuracy;
                j.arrived[p.request]++;
                j.pathModelMs[p.request] = Math.max(j.pathModelMs[p.request], p.pathModelMs);
                fire(j, p.request, t);
                if (--outstanding[p.request] == 0) {
                    complete(p.request, t);
                }
                return;
            }
            if (task.task.pseudo() && task.variant != null) {
                // A pseudo task (Loki's 'source' or 'sink') runs nothing: pass on at once.
                finishPiece(task, p, task.variant, 1.0, 0, t);
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
            rep.pace.expire(t);
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
            rep.runningSince = t;
            if (rep.threads == 0) {
                rep.runningMs = latency.sampleMs(v.name(), rep.share, batch.size()) + terms.batchOverheadMs();
                push(t + rep.runningMs, DONE, rep);
            } else {
                // In the job the operator's own thread also takes each piece in (the framework's share of it) before the
                // batch, and the batch takes longer than profiled in isolation (the overhead): all of it CPU on the cores.
                double ms = cpuBatchMs(rep, v, batch.size()) + terms.batchOverheadMs();
                modelCpuMs += ms * rep.threads;
                double in = 0;
                for (Piece p : escalatedBy == null ? batch : List.<Piece>of()) {
                    // A cascade's second stage took its pieces in already.
                    in += p.inCpuMs;
                }
                cores.add(new Work(ms + in, rep.threads, rep, null), t);
            }
        }

        /**
         * On a CPU device with the job's terms: a sample of the profile's row for the whole threads the
         * replica gets, its time with the cores to itself ({@link Cores} slows it by what else runs).
         */
        double cpuBatchMs(Replica rep, Variant v, int size) {
            double share = template.profile().row(v.name(), rep.threadShare, template.profile().batches(v.name()).iterator().next())
                    .isPresent() ? rep.threadShare : rep.share;
            return latency.sampleMs(v.name(), share, size);
        }

        /** A piece of work on the cores: a replica's batch on its threads, or the framework's CPU for a hop on one thread. */
        final class Work {
            double remainingMs;
            final int threads;
            /** The replica whose batch this is; null: a hop's. */
            final Replica batchOf;
            final Hop hop;

            Work(double ms, int threads, Replica batchOf, Hop hop) {
                this.remainingMs = ms;
                this.threads = threads;
                this.batchOf = batchOf;
                this.hop = hop;
            }
        }

        /**
         * A CPU device's cores shared by what runs on them (processor sharing): while more threads want them
         * than there are — the batches' threads, the hops' and the framework's idle load — each piece of work
         * advances that much slower; its time is what it would take with the cores to itself.
         */
        final class Cores {
            final List<Work> running = new ArrayList<>();
            int threads;
            double since;
            /** Bumped on every change: a CPU event of an older version is stale. */
            long version;

            double speed() {
                return Math.min(1, terms.cpuThreads() / (threads + terms.frameworkIdleCores()));
            }

            void add(Work w, double t) {
                advance(t);
                running.add(w);
                threads += w.threads;
                schedule(t);
            }

            void advance(double t) {
                double done = (t - since) * speed();
                for (Work w : running) {
                    w.remainingMs -= done;
                }
                since = t;
            }

            void schedule(double t) {
                version++;
                if (!running.isEmpty()) {
                    double least = Double.MAX_VALUE;
                    for (Work w : running) {
                        least = Math.min(least, w.remainingMs);
                    }
                    push(t + Math.max(0, least) / speed(), CPU, version);
                }
            }

            void due(long v, double t) {
                if (v != version) {
                    return;
                }
                advance(t);
                List<Work> finished = new ArrayList<>();
                for (java.util.Iterator<Work> it = running.iterator(); it.hasNext(); ) {
                    Work w = it.next();
                    if (w.remainingMs <= 1e-9) {
                        it.remove();
                        threads -= w.threads;
                        finished.add(w);
                    }
                }
                for (Work w : finished) {
                    if (w.batchOf != null) {
                        // Its time is what it took on the shared cores: the replica's pace.
                        w.batchOf.runningMs = t - w.batchOf.runningSince;
                        done(w.batchOf, t);
                    } else {
                        hopDone(w.hop, t);
                    }
                }
                schedule(t);
            }
        }

        /** A hop's framework CPU is done: the piece goes on for the rest of the hop's time; the next hop waiting takes the thread. */
        void hopDone(Hop h, double t) {
            move(h.task(), h.piece(), Math.max(0, h.ms() - h.cpuMs()), t);
            Hop next = frameworkWaiting.poll();
            if (next != null) {
                cores.add(new Work(next.cpuMs(), 1, null, next), t);
            } else {
                frameworkBusy--;
            }
        }

        void done(Replica rep, double t) {
            TaskState task = rep.task;
            rep.pace.ran(rep.runningVariant.name(), rep.runningMs, t);
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
                finishPiece(task, p, rep.runningVariant, factor, rep.runningMs, t);
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

        /** @param batchMs what the batch that answered it took (0: a task without a model) */
        void finishPiece(TaskState task, Piece p, Variant ran, double factor, double batchMs, double t) {
            task.pieces++;
            double accuracy = p.accuracy * (task.task.pseudo() ? 1.0 : ran.accuracy() * factor);
            if (served != null && !task.task.pseudo()) {
                int at = variantAt[tasks.indexOf(task)];
                if (served[p.request] == null) {
                    served[p.request] = new int[variantAt[tasks.size()]];
                }
                served[p.request][at + indexOf(task.task, ran)]++;
            }
            double pathMs = p.pathModelMs + batchMs;
            if (task.children.isEmpty()) {
                accuracySum[p.request] += accuracy;
                leafPieces[p.request]++;
                pathModelMs[p.request] = Math.max(pathModelMs[p.request], pathMs);
            }
            for (TaskState child : task.children) {
                int copies = Draws.copies(ran.fanoutTo(child.task.name()), random.nextDouble());
                outstanding[p.request] += copies;
                for (int i = 0; i < copies; i++) {
                    sent(child, p.request);
                    Piece next = new Piece(p.request, accuracy);
                    next.pathModelMs = pathMs;
                    next.inCpuMs = cpuPerHopMs;
                    hop(child, next, 0, t);
                }
            }
            left(task, p.request, false, accuracy, pathMs, t);
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
            left(task, p.request, true, p.accuracy, p.pathModelMs, t);
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
            double assembled = t + terms.hop().sample(jitter);
            double visible = (commitMs > 0 ? Math.ceil(assembled / commitMs) * commitMs : assembled) + terms.delivery().sample(jitter);
            double ms = visible - trace.atMs()[r];
            latencies.add(ms);
            pathModel.add(pathModelMs[r]);
            if (ms > sloMs) {
                late++;
                perSecondViolations[second(trace.atMs()[r])]++;
            }
            if (leafPieces[r] > 0) {
                accuracyTotal += served != null ? combinationAccuracy(r) : accuracySum[r] / leafPieces[r];
                accuracyCount++;
            }
        }

        /** The variant's place among its task's (by name: a plan's variant may carry a re-measured accuracy). */
        int indexOf(Task task, Variant v) {
            for (int i = 0; i < task.variants().size(); i++) {
                if (task.variants().get(i).name().equals(v.name())) {
                    return i;
                }
            }
            return 0;
        }

        /**
         * A request's accuracy from the measured combinations: each task's variants weighted by the pieces they
         * served for it; a task that served none for it (no object found) counts with the plan's variant.
         */
        double combinationAccuracy(int r) {
            int[][] pieces = new int[tasks.size()][];
            int[] current = new int[tasks.size()];
            for (int t = 0; t < tasks.size(); t++) {
                TaskState task = tasks.get(t);
                pieces[t] = served[r] == null ? new int[task.task.variants().size()]
                        : java.util.Arrays.copyOfRange(served[r], variantAt[t], variantAt[t + 1]);
                current[t] = indexOf(task.task, task.variant);
            }
            served[r] = null;
            Combinations c = graph.measuredCombinations().orElseThrow();
            return c.expected(Combinations.shares(pieces, current));
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
            cpuPerHopMs = terms.frameworkCpuMsPerRequest() / hopsPerRequest();
        }

        /** The hops a request makes under the variants in force (their declared fan-outs), its way in counted twice. */
        double hopsPerRequest() {
            double[] pieces = new double[tasks.size()];
            double hops = 2;
            // A parent is listed before its children (the graph checker's topological order).
            for (int i = 0; i < tasks.size(); i++) {
                TaskState t = tasks.get(i);
                double in = 0;
                for (String parent : t.task.after()) {
                    int p = template.taskIndex(parent);
                    in += pieces[p] * tasks.get(p).variant.fanoutTo(t.task.name());
                }
                hops += in;
                pieces[i] = t.task.after().isEmpty() || t.join != null ? 1 : in;
            }
            return hops;
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
                    wallSeconds, planningSeconds, n == 0 ? 0 : modelCpuMs / n, Percentiles.of(pathModel.toArray(), pathModel.size(), 0.5));
        }
    }
}
