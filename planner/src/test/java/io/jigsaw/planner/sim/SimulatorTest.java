package io.jigsaw.planner.sim;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.Task;
import io.jigsaw.core.graph.Variant;
import io.jigsaw.core.plan.Plan;
import io.jigsaw.core.plan.TaskPlan;
import io.jigsaw.core.trace.Trace;
import io.jigsaw.core.trace.TraceFiles;
import io.jigsaw.planner.TinyGraph;
import io.jigsaw.planner.model.PlanningInstance;
import io.jigsaw.planner.model.Policy;
import io.jigsaw.planner.profile.Profile;
import io.jigsaw.planner.profile.ProfileRow;
import io.jigsaw.planner.profile.ShareGrid;
import io.jigsaw.planner.solver.PlanSolver;
import io.jigsaw.planner.solver.SolverSettings;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class SimulatorTest {

    private static final PlanSolver SOLVER = new PlanSolver(SolverSettings.defaults().withLimits(Duration.ofSeconds(2), Duration.ofMillis(200)));

    /** One task, one variant, batch 1 only, a deterministic 10 ms on a whole GPU: an M/D/1 queue at one replica. */
    private static PlanningInstance oneQueue() {
        return oneQueueOn("gpu");
    }

    private static PlanningInstance oneQueueOn(String device) {
        Task solo = new Task("solo", List.of(), List.of(new Variant("v", 1.0, null, Map.of(), null, false)));
        Graph graph = new Graph("one", 5_000, 0.9, null, List.of(solo), null, List.of());
        Profile profile = new Profile(device, List.of(new ProfileRow("v", device, 100, 1, 10, 10, ProfileRow.Source.MEASURED)), List.of());
        return new PlanningInstance(graph, profile, 1, 1, ShareGrid.wholeGpus(), Policy.JIGSAW, 0.9,
                PlanningInstance.AccuracyRule.TRAFFIC_WEIGHTED_MEAN);
    }

    private static Simulator.Settings fixedPlan() {
        return Simulator.Settings.defaults().withReplan(false).withSeed(7);
    }

    @Test
    void anMD1QueueWaitsWhatPollaczekKhinchineSays() {
        // λ = 50/s, D = 10 ms: ρ = 0.5, mean wait ρ·D / (2(1 − ρ)) = 5 ms, mean time in system 15 ms.
        Trace trace = TraceFiles.open("poisson:rate=50,duration=2000,seed=5");

        SimulationResult r = new Simulator(oneQueue(), SOLVER::solve, fixedPlan()).run(trace, f -> { });

        SimulationResult.TaskStats solo = r.tasks().get(0);
        assertThat(solo.meanBatch()).isEqualTo(1.0);
        assertThat(solo.meanWaitMs()).isCloseTo(5.0, within(0.35));
        assertThat(r.completed()).isEqualTo(trace.size());
        assertThat(r.sloViolationPct()).isZero();
        assertThat(r.gpuShareUsedPct()).isCloseTo(100, within(0.5));
    }

    @Test
    void withMeasuredCombinationsASimulatedRequestScoresTheCombinationThatServedIt() {
        // Two variants of one task measured end to end: the plan's v2 scores 0.6 whatever v2's own accuracy says.
        Task solo = new Task("solo", List.of(), List.of(new Variant("v1", 1.0, null, Map.of(), null, false),
                new Variant("v2", 0.5, null, Map.of(), null, false)));
        Graph graph = new Graph("one", 5_000, 0.5, null, List.of(solo), null, List.of()).withCombinations(
                new io.jigsaw.core.graph.Combinations(List.of("solo"), List.of(List.of("v1", "v2")), new double[] {0.9, 0.6},
                        new double[2][1], 100));
        Profile profile = new Profile("gpu", List.of(new ProfileRow("v1", "gpu", 100, 1, 10, 10, ProfileRow.Source.MEASURED),
                new ProfileRow("v2", "gpu", 100, 1, 1, 1, ProfileRow.Source.MEASURED)), List.of());
        PlanningInstance in = new PlanningInstance(graph, profile, 1, 1, ShareGrid.wholeGpus(), Policy.JIGSAW, 0.9,
                PlanningInstance.AccuracyRule.TRAFFIC_WEIGHTED_MEAN);
        Plan v2 = new Plan("one", 1, "test", "", List.of(new TaskPlan("solo", "v2", 1, 0, 5_000,
                List.of(new io.jigsaw.core.plan.Partition(0, 100)))));

        SimulationResult r = new Simulator(in, SOLVER::solve, fixedPlan()).run(TraceFiles.open("poisson:rate=20,duration=1000,seed=5"), v2,
                f -> { });

        assertThat(r.completed()).isPositive();
        assertThat(r.accuracy()).isCloseTo(0.6, within(1e-12));
    }

    @Test
    void underACommitIntervalTheClientWaitsForTheNextCommit() {
        // The same M/D/1 queue (15 ms mean in the system); results visible only at multiples of 100 ms add
        // the wait to the next one: uniform over 0..100 ms for Poisson arrivals, 50 ms on average.
        Trace trace = TraceFiles.open("poisson:rate=50,duration=600,seed=5");

        SimulationResult atOnce = new Simulator(oneQueue(), SOLVER::solve, fixedPlan()).run(trace, f -> { });
        SimulationResult committed = new Simulator(oneQueue(), SOLVER::solve, fixedPlan().withCommitInterval(Duration.ofMillis(100)))
                .run(trace, f -> { });

        assertThat(committed.p50Ms() - atOnce.p50Ms()).isCloseTo(50, within(10.0));
        assertThat(committed.p99Ms()).isLessThanOrEqualTo(atOnce.p99Ms() + 100);
        assertThat(committed.p99Ms()).isGreaterThan(atOnce.p99Ms() + 50);
    }

    @Test
    void aPlanWithTooLittleCapacityShowsViolationsOnceDemandOutgrowsIt() {
        // Planned for the first 5 s (50/s); from 20 s to 40 s 150/s arrive at a replica that serves 100/s.
        Trace trace = TraceFiles.open("step:rate=50,factor=3,at=20,until=40,duration=60,seed=2");

        SimulationResult r = new Simulator(oneQueue(), SOLVER::solve, fixedPlan()).run(trace, f -> { });

        // 20 s × 50/s more than it serves, less the 500 pieces the 5 s SLO lets queue: about 500 of 5 000 requests.
        assertThat(r.sloViolationPct()).isCloseTo(10, within(3.0));
        assertThat(r.dropped()).isPositive();
        long[] violations = r.timeline().violations();
        long before = 0;
        for (int s = 0; s < 20; s++) {
            before += violations[s];
        }
        assertThat(before).as("no violations before the step").isZero();
        assertThat(r.completed() + r.dropped()).isEqualTo(trace.size());
    }

    @Test
    void fanOutMultipliesPiecesAndEveryRequestEndsOnce() {
        PlanningInstance twoGpus = tinyOn(2);
        Trace trace = TraceFiles.open("poisson:rate=20,duration=30,seed=1");

        SimulationResult r = new Simulator(twoGpus, SOLVER::solve, fixedPlan()).run(trace, f -> { });

        SimulationResult.TaskStats detect = r.tasks().get(0);
        SimulationResult.TaskStats classify = r.tasks().get(1);
        assertThat(detect.pieces() + detect.droppedPieces()).isEqualTo(trace.size());
        assertThat(classify.pieces() + classify.droppedPieces()).as("2 pieces per detected frame").isEqualTo(2 * detect.pieces());
        assertThat(r.completed() + r.dropped()).isEqualTo(trace.size());
        assertThat(r.accuracy()).isGreaterThanOrEqualTo(0.9 - 1e-9);
    }

    @Test
    void aJoinRunsOncePerRequestWhateverItsParentsSent() {
        // detect finds 0 or 1 object per frame (fan-out 0.3 to each branch); fuse waits for both branches,
        // as the job's JoinBranches does, and runs once per request — also when no object was found.
        Trace trace = TraceFiles.open("poisson:rate=20,duration=30,seed=4");

        SimulationResult r = new Simulator(diamond(), SOLVER::solve, fixedPlan()).run(trace, f -> { });

        SimulationResult.TaskStats left = r.tasks().get(1);
        SimulationResult.TaskStats fuse = r.tasks().get(3);
        assertThat(r.dropped()).isZero();
        assertThat(left.pieces()).as("about 30 % of the frames send a piece each way").isBetween(trace.size() / 5L, 2L * trace.size() / 5);
        assertThat(fuse.pieces()).as("once per request").isEqualTo(trace.size());
        assertThat(r.completed()).isEqualTo(trace.size());
    }

    @Test
    void onACpuDeviceTheFrameworksCpuSharesTheCoresWithTheModels() {
        // One core; the model takes 10 ms of it per request, the framework 10 ms more (spread over the request's
        // hops): about 50 req/s fit where the models alone would serve 100. Offered 80 req/s.
        PlanningInstance oneCore = oneQueueOn("cpu-1t");
        Trace trace = TraceFiles.open("poisson:rate=80,duration=20,seed=3");
        Simulator.Settings settings = fixedPlan();

        SimulationResult models = new Simulator(oneCore, SOLVER::solve, settings).run(trace, f -> { });
        SimulationResult job = new Simulator(oneCore, SOLVER::solve, settings.withJobTerms(new JobTerms(1, 10, 0, Spread.ZERO, Spread.ZERO, 0))).run(trace, f -> { });

        assertThat(models.sloViolationPct()).as("the models alone keep up").isZero();
        double goodput = (job.completed() - job.late()) / 20.0;
        assertThat(goodput).as("answers on time per second, with the framework's CPU").isBetween(40.0, 55.0);
        assertThat(job.modelCpuMsPerRequest()).as("the model's CPU, only for the requests it ran").isLessThan(10.0).isGreaterThan(4.0);
    }

    /** detect → {left, right} → fuse, 5 ms per batch of 1 on a whole GPU each, SLO 2 s, 20 req/s on 4 GPUs. */
    private static PlanningInstance diamond() {
        Task detect = new Task("detect", List.of(), List.of(new Variant("d", 1.0, null, Map.of("left", 0.3, "right", 0.3), null, false)));
        Task left = new Task("left", List.of("detect"), List.of(new Variant("l", 1.0, null, Map.of(), null, false)));
        Task right = new Task("right", List.of("detect"), List.of(new Variant("r", 1.0, null, Map.of(), null, false)));
        Task fuse = new Task("fuse", List.of("left", "right"), List.of(new Variant("f", 1.0, null, Map.of(), null, false)));
        Graph graph = new Graph("diamond", 2_000, 0.5, null, List.of(detect, left, right, fuse), null, List.of());
        Profile profile = new Profile("gpu", List.of("d", "l", "r", "f").stream()
                .map(v -> new ProfileRow(v, "gpu", 100, 1, 5, 5, ProfileRow.Source.MEASURED)).toList(), List.of());
        return new PlanningInstance(graph, profile, 20, 4, ShareGrid.wholeGpus(), Policy.JIGSAW, 0.5,
                PlanningInstance.AccuracyRule.TRAFFIC_WEIGHTED_MEAN);
    }

    @Test
    void aCandidatePlanServesTheWholeTraceAsWritten() {
        // The plan made for 20 req/s, tried on a trace that quadruples: no re-planning, so it holds the same share
        // throughout, where the sidecar's plans grow with the step (the next test).
        PlanningInstance fourGpus = tinyOn(4);
        io.jigsaw.core.plan.Plan candidate = SOLVER.solve(fourGpus).toPlan(7, "a candidate");
        Trace trace = TraceFiles.open("step:rate=20,factor=4,at=30,until=60,duration=90,seed=3");

        SimulationResult r = new Simulator(fourGpus, SOLVER::solve, Simulator.Settings.defaults()).run(trace, candidate, f -> { });

        double[] share = r.timeline().gpuSharePct();
        assertThat(r.plansApplied()).isEqualTo(1);
        assertThat(share[50]).isEqualTo(share[10]);
        assertThat(r.completed() + r.dropped()).isEqualTo(trace.size());
    }

    @Test
    void rePlanningFollowsAStepUpAndHoldsMoreGpuDuringIt() {
        PlanningInstance fourGpus = tinyOn(4);
        Trace trace = TraceFiles.open("step:rate=20,factor=4,at=30,until=60,duration=90,seed=3");

        SimulationResult r = new Simulator(fourGpus, new PlanCache(SOLVER::solve, 0.025), Simulator.Settings.defaults())
                .run(trace, f -> { });

        double[] share = r.timeline().gpuSharePct();
        assertThat(r.plansApplied()).isGreaterThan(1);
        assertThat(share[50]).isGreaterThan(share[10]);
        assertThat(r.completed() + r.dropped()).isEqualTo(trace.size());
    }

    /** The tiny detect → classify graph under jigsaw at 20 req/s on this many GPUs. */
    private static PlanningInstance tinyOn(int gpus) {
        PlanningInstance tiny = TinyGraph.instance(Policy.JIGSAW);
        return new PlanningInstance(tiny.graph(), tiny.profile(), 20, gpus, tiny.grid(), tiny.policy(), 0.9, tiny.accuracyRule());
    }
}
