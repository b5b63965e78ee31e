package io.jigsaw.planner.exact;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.Task;
import io.jigsaw.core.graph.Variant;
import io.jigsaw.planner.LokiApp;
import io.jigsaw.planner.TinyGraph;
import io.jigsaw.planner.capacity.CapacitySearch;
import io.jigsaw.planner.model.PlanEvaluator;
import io.jigsaw.planner.model.PlanningInstance;
import io.jigsaw.planner.model.Policy;
import io.jigsaw.planner.model.TaskOption;
import io.jigsaw.planner.profile.Profile;
import io.jigsaw.planner.profile.ProfileLoader;
import io.jigsaw.planner.profile.ProfileRow;
import io.jigsaw.planner.profile.ShareGrid;
import io.jigsaw.planner.solver.PlanSolver;
import io.jigsaw.planner.solver.SolverSettings;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class PathRoutingIlpTest {

    private static final PathRoutingIlp ILP = new PathRoutingIlp(Duration.ofSeconds(60));

    /**
     * TinyGraph under Loki's rule: routes must fit 25 ms, so (d-l, c-l) at 30 ms is out, and only (d-l, c-s) reaches
     * the 0.9 floor. d-l serves 50/s per GPU, c-s 200/s, each frame sends two pieces: 3 GPUs serve 100 req/s (two
     * detectors, one classifier), and no split of them serves more.
     */
    @Test
    void onAGraphSmallEnoughToWorkOutByHandTheCapacityIsTheOneWorkedOut() {
        PathPlan p = ILP.capacity(TinyGraph.instance(Policy.LOKI).withGpus(3));

        assertThat(p.optimal()).isTrue();
        assertThat(p.demandRps()).isCloseTo(100, within(1e-6));
        assertThat(p.routes()).singleElement().satisfies(r -> assertThat(r.variants()).containsExactly("d-l", "c-s"));
        assertThat(p.gpus()).isEqualTo(3);
    }

    /** Loki's objective at a demand: the most accurate plan (0.9, the one route that fits), then the fewest GPUs (one each). */
    @Test
    void aPlanIsTheMostAccurateThenTheFewestGpus() {
        PathPlan p = ILP.plan(TinyGraph.instance(Policy.LOKI).withGpus(3));

        assertThat(p.accuracy()).isCloseTo(0.9, within(1e-9));
        assertThat(p.gpus()).isEqualTo(2);
        assertThat(p.routes()).singleElement().satisfies(r -> assertThat(r.rateRps()).isCloseTo(40, within(1e-6)));
    }

    /**
     * The capacity plan on Loki's own app, checked rule by rule from the profile rather than from the ILP: every
     * path's routes carry the demand, the two branches agree on the detector's split, each variant's servers carry
     * what its routes send it, every route that carries traffic fits half the SLO, the GPUs and the accuracy floor.
     */
    @Test
    void theCapacityPlanOnLokisAppMeetsEveryRuleWhenCheckedRouteByRoute() {
        PlanningInstance instance = loki(Policy.LOKI, 60, 8);
        PathPlan p = ILP.capacity(instance);
        PlanEvaluator evaluator = new PlanEvaluator(p.instance());

        assertThat(p.optimal()).isTrue();
        assertThat(p.gpus()).isLessThanOrEqualTo(8);
        Map<String, Double> perPath = new HashMap<>();
        Map<String, Double> detectorSplit = new HashMap<>();
        Map<String, Double> load = new HashMap<>();
        double accuracy = 0;
        for (PathPlan.Route r : p.routes()) {
            String branch = r.tasks().get(1);
            perPath.merge(branch, r.rateRps(), Double::sum);
            detectorSplit.merge(branch + "|" + r.variants().get(0), r.rateRps(), Double::sum);
            String detector = r.variants().get(0);
            load.merge("object_detection|" + detector, r.rateRps() / 2, Double::sum); // each branch counts the detector once
            double pieces = evaluator.variantOf(0, detector).fanoutTo(branch);
            load.merge(branch + "|" + r.variants().get(1), r.rateRps() * pieces, Double::sum);
            assertThat(r.latencyMs()).isLessThanOrEqualTo(30 + 1e-6);
            int path = branch.equals("car_classification") ? pathIndex(evaluator, instance, "car_classification")
                    : pathIndex(evaluator, instance, "facial_recognition");
            accuracy += evaluator.pathWeight(path) * r.rateRps() / p.demandRps()
                    * evaluator.variantOf(0, detector).accuracy()
                    * evaluator.variantOf(instance.taskIndex(branch), r.variants().get(1)).accuracy();
        }
        assertThat(perPath.values()).allSatisfy(rate -> assertThat(rate).isCloseTo(p.demandRps(), within(1e-4)));
        for (String v : List.of("yolov5n", "yolov5s", "yolov5m", "yolov5l", "yolov5x")) {
            assertThat(detectorSplit.getOrDefault("car_classification|" + v, 0.0))
                    .isCloseTo(detectorSplit.getOrDefault("facial_recognition|" + v, 0.0), within(1e-4));
        }
        for (PathPlan.Group g : p.groups()) {
            double capacity = g.replicas() * 0.9 * instance.row(new TaskOption(g.variant(), g.batch(), g.share())).throughputPerSecond();
            assertThat(load.getOrDefault(g.task() + "|" + g.variant(), 0.0)).isLessThanOrEqualTo(capacity + 1e-4);
        }
        load.forEach((key, rate) -> assertThat(rate <= 1e-6 || p.groups().stream()
                .anyMatch(g -> key.equals(g.task() + "|" + g.variant()))).as("%s carries %.3f/s", key, rate).isTrue());
        assertThat(accuracy).isCloseTo(p.accuracy(), within(1e-9))
                .isGreaterThanOrEqualTo(0.9 * evaluator.bestAccuracy() - 1e-6);
    }

    /** Every per-task plan is a per-path plan (its routes are the products of its splits): the ILP serves at least what the search finds. */
    @Test
    void routingPerPathServesAtLeastWhatSplittingPerTaskDoes() {
        PlanningInstance instance = loki(Policy.LOKI, 60, 8);
        double perTask = new CapacitySearch(new PlanSolver(SolverSettings.defaults().withLimits(Duration.ofSeconds(2),
                Duration.ofMillis(300)).firstFeasible())::solve, 0.02).search(instance, probe -> { }).capacityRps();

        assertThat(ILP.capacity(instance).demandRps()).isGreaterThanOrEqualTo(perTask);
    }

    /**
     * TinyGraph under the planner's own rules: one route fits the SLO at the accuracy floor, so the relaxation's plan
     * routes per task and is the planner's own plan, feasible where the planner's evaluator checks it: the optimum.
     */
    @Test
    void whereTheRelaxationsPlanRoutesPerTaskItIsAPlanOfThePlannersModel() {
        PathPlan relaxed = ILP.capacity(TinyGraph.instance(Policy.JIGSAW).withGpus(2));

        assertThat(relaxed.optimal()).isTrue();
        assertThat(PathRoutingIlp.asPlannerPlan(relaxed)).hasValueSatisfying(p -> {
            assertThat(p.feasible()).isTrue();
            assertThat(p.instance().demandRps()).isCloseTo(relaxed.demandRps(), within(1e-3));
        });
    }

    /** loki-literal as the artifact runs: no yolov5s, the face branch on one genderNet_16 server at batch 1, one GPU kept for the sink. */
    @Test
    void theLiteralPolicyDoesWhatTheArtifactDoesByName() {
        PathPlan p = ILP.capacity(loki(Policy.LOKI_LITERAL, 250, 8));

        assertThat(p.optimal()).isTrue();
        assertThat(p.demandRps()).isPositive();
        assertThat(p.groups()).noneMatch(g -> g.variant().equals("yolov5s"));
        assertThat(p.groups()).filteredOn(g -> g.task().equals("facial_recognition")).singleElement()
                .satisfies(g -> assertThat(List.of(g.variant(), g.batch(), g.replicas())).containsExactly("genderNet_16", 1, 1));
        assertThat(p.gpus()).isLessThanOrEqualTo(7);
    }

    @Test
    void aGraphWithAJoinIsRefusedByName() {
        Graph g = new Graph("joined", 100, 0.9, null, List.of(
                task("split", List.of()), task("left", List.of("split")), task("right", List.of("split")), task("fuse", List.of("left", "right"))),
                null, List.of());
        Profile profile = new Profile("gpu", List.of("split", "left", "right", "fuse").stream()
                .map(t -> new ProfileRow(t + "-v", "gpu", 100, 1, 5, 5, ProfileRow.Source.MEASURED)).toList(), List.of());

        assertThatThrownBy(() -> ILP.capacity(PlanningInstance.of(g, profile, 1, 1, ShareGrid.mps(10), Policy.LOKI)))
                .hasMessageContaining("Loki's ILP plans trees").hasMessageContaining("fuse");
    }

    private static Task task(String name, List<String> after) {
        return new Task(name, after, List.of(new Variant(name + "-v", 0.9, null, Map.of(), null, false)));
    }

    private static int pathIndex(PlanEvaluator evaluator, PlanningInstance instance, String task) {
        int t = instance.taskIndex(task);
        for (int p = 0; p < evaluator.paths().length; p++) {
            for (int u : evaluator.paths()[p]) {
                if (u == t) {
                    return p;
                }
            }
        }
        throw new AssertionError(task);
    }

    static PlanningInstance loki(Policy policy, double sloMs, int gpus) {
        Graph g = LokiApp.graph().withLatencySlo(sloMs).withAccuracySlo(0.9);
        Profile profile = ProfileLoader.load(g, LokiApp.file(), List.of(), null, ShareGrid.mps(10));
        return new PlanningInstance(g, profile, 1, gpus, ShareGrid.mps(10), policy, 0.9, PlanningInstance.AccuracyRule.TRAFFIC_WEIGHTED_MEAN);
    }
}
