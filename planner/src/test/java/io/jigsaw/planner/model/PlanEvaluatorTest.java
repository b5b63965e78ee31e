package io.jigsaw.planner.model;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.planner.LokiApp;
import io.jigsaw.planner.TinyGraph;
import io.jigsaw.planner.profile.Profile;
import io.jigsaw.planner.profile.ProfileLoader;
import io.jigsaw.planner.profile.ProfileRow;
import io.jigsaw.planner.profile.ShareGrid;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class PlanEvaluatorTest {

    @Test
    void theDetectorsVariantSetsTheLoadBelowIt() {
        PlanEvaluator ev = lokiAt10Rps();
        TaskOption[] nano = {new TaskOption("yolov5n", 1, 100), new TaskOption("efficientnet-b0", 1, 100),
            new TaskOption("genderNet", 1, 100), new TaskOption("sink", 1, 0)};
        Evaluation e = ev.evaluate(nano, false);
        // branching.csv: yolov5n finds 2.584 objects per frame, 76.8 % of them cars, 23.2 % faces.
        assertThat(e.tasks().get(1).rateRps()).isCloseTo(10 * 2.5842696629213500 * 0.7680944305343670, within(1e-9));
        assertThat(e.tasks().get(2).rateRps()).isCloseTo(10 * 2.5842696629213500 * 0.23190556946563300, within(1e-9));
        nano[0] = new TaskOption("yolov5l", 1, 100);
        assertThat(ev.evaluate(nano, false).tasks().get(1).rateRps()).isCloseTo(10 * 18.20702247191010 * 0.9594310837171900, within(1e-9));
    }

    @Test
    void aJoinRunsOncePerRequestWhateverItsBranchesSent() {
        // detect → {classify, depth} → fuse, 1.6 objects per frame to each branch: 160 pieces/s each at 100 req/s,
        // and fuse, waiting for all of a request's pieces, 100 runs/s.
        io.jigsaw.core.graph.Task detect = new io.jigsaw.core.graph.Task("detect", List.of(), List.of(
                new io.jigsaw.core.graph.Variant("d", 1.0, null, Map.of("classify", 1.6, "depth", 1.6), null, false)));
        io.jigsaw.core.graph.Task classify = new io.jigsaw.core.graph.Task("classify", List.of("detect"), List.of(
                new io.jigsaw.core.graph.Variant("c", 1.0, null, Map.of(), null, false)));
        io.jigsaw.core.graph.Task depth = new io.jigsaw.core.graph.Task("depth", List.of("detect"), List.of(
                new io.jigsaw.core.graph.Variant("z", 1.0, null, Map.of(), null, false)));
        io.jigsaw.core.graph.Task fuse = new io.jigsaw.core.graph.Task("fuse", List.of("classify", "depth"), List.of(
                new io.jigsaw.core.graph.Variant("f", 1.0, null, Map.of(), null, false)));
        Graph g = new Graph("scene", 1000, 0.5, null, List.of(detect, classify, depth, fuse), null, List.of());
        Profile profile = new Profile("gpu", List.of("d", "c", "z", "f").stream()
                .map(v -> new ProfileRow(v, "gpu", 100, 1, 1, 1, ProfileRow.Source.MEASURED)).toList(), List.of());
        PlanEvaluator ev = new PlanEvaluator(new PlanningInstance(g, profile, 100, 4, ShareGrid.wholeGpus(), Policy.JIGSAW, 0.5,
                PlanningInstance.AccuracyRule.TRAFFIC_WEIGHTED_MEAN));

        Evaluation e = ev.evaluate(new TaskOption[] {new TaskOption("d", 1, 100), new TaskOption("c", 1, 100), new TaskOption("z", 1, 100),
            new TaskOption("f", 1, 100)}, false);

        assertThat(e.tasks().get(1).rateRps()).isCloseTo(160, within(1e-9));
        assertThat(e.tasks().get(2).rateRps()).isCloseTo(160, within(1e-9));
        assertThat(e.tasks().get(3).rateRps()).as("fuse").isCloseTo(100, within(1e-9));
        assertThat(ev.rateBounds()[1][3]).isCloseTo(100, within(1e-9));
    }

    @Test
    void boundIsNexusDutyCycleWithFillWait() {
        // One task, batch 4 at 20 ms (p50 = p99): 200/s per replica. At 50/s one replica fills a batch in 3/50 s = 60 ms.
        PlanningInstance in = single(List.of(new ProfileRow("v", "gpu", 100, 4, 20, 20, ProfileRow.Source.MEASURED),
                new ProfileRow("v", "gpu", 100, 1, 10, 10, ProfileRow.Source.MEASURED)), 50);
        TaskLoad load = new PlanEvaluator(in).load(0, new TaskOption("v", 4, 100), 50);
        assertThat(load.replicas()).isEqualTo(1);
        assertThat(load.fillMs()).isCloseTo(60, within(1e-9));
        assertThat(load.latencyMs()).isCloseTo(60 + 20, within(1e-9));
        // At 700/s: 4 replicas (175/s each, under 200/s), a batch fills in 3/175 s, shorter than the 20 ms batch ahead.
        TaskLoad busy = new PlanEvaluator(in).load(0, new TaskOption("v", 4, 100), 700);
        assertThat(busy.replicas()).isEqualTo(4);
        assertThat(busy.latencyMs()).isCloseTo(20 + 20, within(1e-9));
    }

    @Test
    void accuracyIsPerRootFrameWithPathWeightsFixedByTheMostAccurateVariants() {
        PlanEvaluator ev = lokiAt10Rps();
        TaskOption[] c = {new TaskOption("yolov5n", 1, 100), new TaskOption("efficientnet-b0", 1, 100),
            new TaskOption("genderNet_19", 1, 100), new TaskOption("sink", 1, 0)};
        double yolo = 55.22682446 / 100;
        double car = 91.45907473 / 100; // efficientnet-b7 is 100 in the file
        // Weights: the pieces the most accurate detector sends down each branch, whatever the plan's detector.
        var best = ev.instance().mostAccurateProfiled(ev.instance().tasks().get(0));
        double cars = best.fanoutTo("car_classification");
        double faces = best.fanoutTo("facial_recognition");
        assertThat(ev.evaluate(c, false).accuracy()).isCloseTo((cars * yolo * car + faces * yolo * 1.0) / (cars + faces), within(1e-9));
    }

    @Test
    void aSplitTaskServesEachVariantsShareAndItsAccuracyIsTheTrafficWeightedMean() {
        PlanningInstance in = TinyGraph.instance(Policy.JIGSAW).withDemand(80).withGpus(4);
        PlanEvaluator ev = new PlanEvaluator(in);
        // One d-l replica at full utilisation takes 50 of the 80 frames/s; d-s the other 30 on one replica.
        TaskLoad load = ev.load(0, TinyGraph.D_SMALL, new Spill(TinyGraph.D_LARGE, 1), 80);
        assertThat(load.spill().rateRps()).isCloseTo(50, within(1e-9));
        assertThat(load.rateRps()).isCloseTo(30, within(1e-9));
        assertThat(load.totalReplicas()).isEqualTo(2);
        assertThat(load.totalShare()).isEqualTo(200);
        assertThat(load.boundMs()).isCloseTo(2 * 20, within(1e-9));
        Evaluation e = ev.evaluate(new TaskOption[] {TinyGraph.D_SMALL, TinyGraph.C_LARGE},
                new Spill[] {new Spill(TinyGraph.D_LARGE, 1), Spill.NONE}, true);
        double detect = (30 * 0.8 + 50 * 1.0) / 80;
        assertThat(e.accuracy()).isCloseTo(detect * 1.0, within(1e-9));
        // Both groups' pieces reach classify: 2 per frame each.
        assertThat(e.tasks().get(1).taskRateRps()).isCloseTo(160, within(1e-9));
        // The plan names each replica's variant and the traffic it is planned to take.
        var partitions = e.packing().partitions().get(0);
        assertThat(partitions).extracting(io.jigsaw.core.plan.Partition::variant).containsExactly("d-s", "d-l");
        assertThat(partitions).extracting(io.jigsaw.core.plan.Partition::weight).containsExactly(30.0 / 80, 50.0 / 80);
    }

    @Test
    void withMeasuredCombinationsAPlansAccuracyIsTheirsMixedByEachTasksTrafficNotThePathProduct() {
        // End to end, measured: d-s with c-l does better than the path product says (0.8 x 1.0), d-l with c-s worse.
        Graph g = TinyGraph.graph();
        io.jigsaw.core.graph.Combinations measured = new io.jigsaw.core.graph.Combinations(List.of("detect", "classify"),
                List.of(List.of("d-s", "d-l"), List.of("c-s", "c-l")), new double[] {0.50, 0.75, 0.45, 0.80},
                new double[4][2], 1000);
        PlanningInstance in = TinyGraph.instance(Policy.JIGSAW).withDemand(80).withGpus(4).withGraph(g.withCombinations(measured));
        PlanEvaluator ev = new PlanEvaluator(in);

        assertThat(ev.measuredCombinations()).isTrue();
        assertThat(ev.bestAccuracy()).as("the best combination's").isEqualTo(0.80);
        assertThat(ev.evaluate(new TaskOption[] {TinyGraph.D_SMALL, TinyGraph.C_LARGE}, false).accuracy()).isCloseTo(0.75, within(1e-12));
        // d-s takes 30 of the 80 frames/s and d-l 50 (the split test above); classify all on c-s.
        Evaluation split = ev.evaluate(new TaskOption[] {TinyGraph.D_SMALL, TinyGraph.C_SMALL},
                new Spill[] {new Spill(TinyGraph.D_LARGE, 1), Spill.NONE}, true);
        assertThat(split.accuracy()).isCloseTo(30.0 / 80 * 0.50 + 50.0 / 80 * 0.45, within(1e-12));
        assertThat(split.accuracyFloor()).as("0.9 of the best combination").isCloseTo(0.9 * 0.80, within(1e-12));
        // The SLO in the graph's own units is the floor itself.
        PlanEvaluator absolute = new PlanEvaluator(in.withGraph(in.graph().withAbsoluteAccuracySlo(0.6)));
        assertThat(absolute.evaluate(new TaskOption[] {TinyGraph.D_SMALL, TinyGraph.C_SMALL}, false).accuracyFloor()).isEqualTo(0.6);
    }

    @Test
    void pseudoTasksCostNothingAndReplicasPackFirstFitDecreasing() {
        GpuPacker.Packing packing = GpuPacker.pack(new double[] {30, 60, 0}, new int[] {3, 2, 0}, 3, true, 0);
        // 60s first: GPU0 60, GPU1 60; then 30s: GPU0 +30 (90), GPU1 +30 (90), GPU2 30.
        assertThat(packing.partitions().get(1)).extracting(io.jigsaw.core.plan.Partition::gpu).containsExactly(0, 1);
        assertThat(packing.partitions().get(0)).extracting(io.jigsaw.core.plan.Partition::gpu).containsExactly(0, 1, 2);
        assertThat(packing.overflowShare()).isZero();
        assertThat(GpuPacker.pack(new double[] {60}, new int[] {3}, 2, false, 0).overflowShare()).isEqualTo(60);
    }

    @Test
    void withoutAccuracyScalingOnlyTheMostAccurateVariantIsOffered() {
        PlanningInstance in = TinyGraph.instance(Policy.NO_ACCURACY_SCALING);
        assertThat(in.options(in.tasks().get(0))).extracting(TaskOption::variant).containsOnly("d-l");
        PlanningInstance whole = TinyGraph.instance(Policy.NO_PARTITIONING);
        assertThat(whole.options(whole.tasks().get(0))).extracting(TaskOption::share).containsOnly(100.0);
    }

    @Test
    void onACpuTheFrameworksOwnCpuIsKeptFreeInProportionToDemand() {
        // One replica of a 10 ms model on the whole 2-thread device serves 50 req/s. The framework spends 8 CPU
        // ms per request: 4 ms of the 2-thread device, 20 % of it at 50 req/s, so the replica (100 %) no longer fits.
        List<ProfileRow> rows = List.of(new ProfileRow("v", "cpu-2t", 100, 1, 10, 10, ProfileRow.Source.MEASURED));
        PlanningInstance alone = singleOn("cpu-2t", rows, 50);
        PlanningInstance shared = alone.withFrameworkCpu(8);

        assertThat(shared.frameworkSharePerRps()).isCloseTo(100 * 8 / 2000.0, within(1e-12));
        assertThat(shared.frameworkReservePct()).isCloseTo(20, within(1e-9));
        TaskOption[] one = {new TaskOption("v", 1, 100)};
        assertThat(new PlanEvaluator(alone).evaluate(one, false).overflowShare()).isZero();
        assertThat(new PlanEvaluator(shared).evaluate(one, false).overflowShare()).isEqualTo(100);
    }

    @Test
    void onACpuTheFrameworksIdleCostIsKeptFreeAtAnyDemand() {
        // 0.2 cores busy with no request are 10 % of a 2-thread device, beside the 20 % that 8 ms per request take at 50 req/s.
        List<ProfileRow> rows = List.of(new ProfileRow("v", "cpu-2t", 100, 1, 10, 10, ProfileRow.Source.MEASURED));
        PlanningInstance shared = singleOn("cpu-2t", rows, 50).withFrameworkCpu(8, 0.2);

        assertThat(shared.frameworkReservePct()).isCloseTo(30, within(1e-9));
        assertThat(shared.withDemand(0).frameworkReservePct()).isCloseTo(10, within(1e-9));
        assertThat(shared.withGpus(2).frameworkReservePct()).as("idle per device, requests spread over the devices").isCloseTo(20, within(1e-9));
        TaskOption[] ninety = {new TaskOption("v", 1, 90)};
        rows = List.of(new ProfileRow("v", "cpu-2t", 90, 1, 11, 11, ProfileRow.Source.MEASURED));
        assertThat(new PlanEvaluator(singleOn("cpu-2t", rows, 0).withFrameworkCpu(0, 0.2)).evaluate(ninety, false).overflowShare())
                .as("a 90 % replica beside a 10 % idle reserve fits").isZero();
        assertThat(new PlanEvaluator(singleOn("cpu-2t", rows, 0).withFrameworkCpu(0, 0.3)).evaluate(ninety, false).overflowShare())
                .as("beside 15 % it does not").isEqualTo(90);
    }

    @Test
    void onAGpuTheFrameworkRunsBesideTheDeviceAndTakesNothingFromIt() {
        PlanningInstance gpu = singleOn("gpu", List.of(new ProfileRow("v", "gpu", 100, 1, 10, 10, ProfileRow.Source.MEASURED)), 50)
                .withFrameworkCpu(8, 0.5);

        assertThat(gpu.frameworkReservePct()).isZero();
    }

    private static PlanningInstance single(List<ProfileRow> rows, double demand) {
        return singleOn("gpu", rows, demand);
    }

    private static PlanningInstance singleOn(String device, List<ProfileRow> rows, double demand) {
        Graph g = new Graph("one", 1000, 0.9, null, List.of(new io.jigsaw.core.graph.Task("t", List.of(),
                List.of(new io.jigsaw.core.graph.Variant("v", 1.0, null, Map.of(), null, false)))), null, List.of());
        return new PlanningInstance(g, new Profile(device, rows, List.of()), demand, 1, ShareGrid.wholeGpus(), Policy.JIGSAW,
                0.9, PlanningInstance.AccuracyRule.TRAFFIC_WEIGHTED_MEAN);
    }

    /** Loki's traffic app at 10 req/s on 8 GPUs, partitions in 10 % steps. */
    private static PlanEvaluator lokiAt10Rps() {
        Graph g = LokiApp.graph();
        Profile p = ProfileLoader.load(g, LokiApp.file(), List.of(), null, ShareGrid.mps(10));
        return new PlanEvaluator(PlanningInstance.of(g, p, 10, 8, ShareGrid.mps(10), Policy.JIGSAW));
    }
}
