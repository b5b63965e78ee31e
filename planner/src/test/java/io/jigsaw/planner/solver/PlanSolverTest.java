package io.jigsaw.planner.solver;

import io.jigsaw.core.plan.PlanValidator;
import io.jigsaw.planner.LokiApp;
import io.jigsaw.planner.TinyGraph;
import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.Task;
import io.jigsaw.core.graph.Variant;
import io.jigsaw.planner.profile.Profile;
import io.jigsaw.planner.profile.ProfileRow;
import java.util.Map;
import io.jigsaw.planner.exact.ExhaustiveSearch;
import io.jigsaw.planner.generate.InstanceGenerator;
import io.jigsaw.planner.model.PlanningInstance;
import io.jigsaw.planner.model.Policy;
import io.jigsaw.planner.model.SolvedPlan;
import io.jigsaw.planner.profile.ProfileLoader;
import io.jigsaw.planner.profile.ShareGrid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** PlanSolver against the exhaustive reference, on the same model: same feasibility, same objective. */
class PlanSolverTest {

    // A generous unimproved window: the search path is reproducible, only where time stops it varies with machine load.
    private final PlanSolver solver = new PlanSolver(SolverSettings.defaults().withLimits(Duration.ofSeconds(5), Duration.ofSeconds(1)));

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void findsTheOptimumOfSmallGeneratedInstances(long seed) {
        // The exact reference with traffic splits is tractable only on tiny instances (below), so these compare without.
        PlanningInstance instance = InstanceGenerator.generate(new InstanceGenerator.Shape(4, 3, 20, 4, 30), seed, Policy.JIGSAW)
                .withTrafficSplit(false);
        SolvedPlan exact = new ExhaustiveSearch(5_000_000).solve(instance).orElseThrow();
        SolvedPlan found = solver.solve(instance);
        assertThat(found.feasible()).isTrue();
        assertThat(found.evaluation().totalShare()).isEqualTo(exact.evaluation().totalShare());
    }

    /**
     * PlannerBench's generated instances 5 and 11: their optima need several tasks changed in one step
     * (a cheaper variant and more accurate ones elsewhere to keep the accuracy SLO), which single and
     * paired changes only reach through worse plans. Without re-fit moves the solver stopped at 160 % vs 140 % on 5.
     */
    @ParameterizedTest
    @ValueSource(longs = {5, 11})
    void findsOptimaThatNeedSeveralTasksChangedAtOnce(long seed) {
        PlanningInstance instance = InstanceGenerator.generate(InstanceGenerator.Shape.small(seed), seed, Policy.JIGSAW).withTrafficSplit(false);
        SolvedPlan exact = new ExhaustiveSearch(5_000_000).solve(instance).orElseThrow();
        SolvedPlan found = solver.solve(instance);
        assertThat(found.feasible()).isTrue();
        assertThat(found.evaluation().totalShare()).isEqualTo(exact.evaluation().totalShare());
    }

    @ParameterizedTest
    @EnumSource(Policy.class)
    void matchesTheExactOptimumOnLokisTrafficApp(Policy policy) {
        var graph = LokiApp.graph();
        var profile = ProfileLoader.load(graph, LokiApp.file(), List.of(), null, ShareGrid.mps(10));
        PlanningInstance instance = PlanningInstance.of(graph, profile, 20, 8, ShareGrid.mps(10), policy).withTrafficSplit(false);
        SolvedPlan exact = new ExhaustiveSearch(5_000_000).solve(instance).orElseThrow();
        SolvedPlan found = solver.solve(instance);
        assertThat(found.feasible()).isTrue();
        assertThat(found.evaluation().totalShare()).isEqualTo(exact.evaluation().totalShare());
        assertThat(found.evaluation().accuracy()).isEqualTo(exact.evaluation().accuracy());
    }

    @Test
    void itsPlanIsOneTheJobAccepts() {
        var graph = LokiApp.graph();
        var profile = ProfileLoader.load(graph, LokiApp.file(), List.of(), null, ShareGrid.mps(10));
        SolvedPlan found = solver.solve(PlanningInstance.of(graph, profile, 50, 8, ShareGrid.mps(10), Policy.JIGSAW));
        assertThat(PlanValidator.problems(found.toPlan(3, "test"), graph)).isEmpty();
        assertThat(found.toPlan(3, "test").task("object_detection").orElseThrow().partitions()).isNotEmpty();
    }

    @Test
    void saysSoWhenNothingFits() {
        var graph = LokiApp.graph();
        var profile = ProfileLoader.load(graph, LokiApp.file(), List.of(), null, ShareGrid.mps(10));
        SolvedPlan found = solver.solve(PlanningInstance.of(graph, profile, 5000, 1, ShareGrid.mps(10), Policy.JIGSAW));
        assertThat(found.feasible()).isFalse();
        assertThat(found.evaluation().problems()).anySatisfy(p -> assertThat(p).startsWith("GPUs:"));
        assertThat(new ExhaustiveSearch(5_000_000).solve(found.instance().withTrafficSplit(false))).isEmpty();
    }

    /**
     * Where the accuracy SLO lies between two detector variants, splitting the detector's traffic serves
     * with less GPU than either variant alone; the solver finds the exact optimum with splits.
     */
    @ParameterizedTest
    @ValueSource(doubles = {150, 250, 350})
    void splitsTrafficWhereThatCostsLessAndMatchesTheExactOptimumWithSplits(double demand) {
        PlanningInstance split = cheapAndAccurate(demand);
        SolvedPlan exact = new ExhaustiveSearch(5_000_000).solve(split).orElseThrow();
        SolvedPlan single = new ExhaustiveSearch(5_000_000).solve(split.withTrafficSplit(false)).orElseThrow();
        SolvedPlan found = solver.solve(split);
        assertThat(exact.splitTasks()).isPositive();
        assertThat(exact.evaluation().totalShare()).isLessThan(single.evaluation().totalShare());
        assertThat(found.feasible()).isTrue();
        assertThat(found.evaluation().totalShare()).isEqualTo(exact.evaluation().totalShare());
        assertThat(PlanValidator.problems(found.toPlan(1, "test"), split.graph())).isEmpty();
    }

    /**
     * One task, two variants on whole GPUs: "cheap" (accuracy 0.8, 200 inputs/s) and "accurate" (1.0,
     * 50/s); accuracy SLO 0.85, so "cheap" alone fails it and "accurate" alone needs a GPU per 50 req/s.
     */
    private static PlanningInstance cheapAndAccurate(double demand) {
        Graph g = new Graph("two-variants", 100, 0.85, null, List.of(new Task("t", List.of(), List.of(
                new Variant("cheap", 0.8, null, Map.of(), null, false), new Variant("accurate", 1.0, null, Map.of(), null, false)))),
                null, List.of());
        Profile profile = new Profile("gpu", List.of(
                new ProfileRow("cheap", "gpu", 100, 1, 5, 5, ProfileRow.Source.MEASURED),
                new ProfileRow("accurate", "gpu", 100, 1, 20, 20, ProfileRow.Source.MEASURED)), List.of());
        return new PlanningInstance(g, profile, demand, 8, ShareGrid.wholeGpus(), Policy.JIGSAW, 1.0,
                PlanningInstance.AccuracyRule.TRAFFIC_WEIGHTED_MEAN);
    }
}
