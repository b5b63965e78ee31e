package io.jigsaw.job.demo;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.GraphLoader;
import io.jigsaw.operators.Scorer;
import io.jigsaw.schemas.Result;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The demo's planned-against-measured figures, and the independent-errors product that tests the planner's model. */
class AccuracyStatsTest {

    @TempDir
    Path dir;

    AccuracyStats stats;

    @BeforeEach
    void chainOfTwoTasks() throws Exception {
        Graph g = GraphLoader.load(Files.writeString(dir.resolve("graph.yaml"), """
                name: chain
                latency_slo_ms: 100
                tasks:
                  - name: a
                    variants: [{name: a1, accuracy: 1}]
                  - name: b
                    after: [a]
                    variants: [{name: b1, accuracy: 1}]
                """));
        stats = new AccuracyStats(new Scorer(g), null);
        graph = g;
    }

    Graph graph;

    private static Result result(long plan, double planned, Double measured, Map<String, Double> scores, boolean dropped) {
        return result(plan, planned, measured, scores, dropped, Map.of());
    }

    private static Result result(long plan, double planned, Double measured, Map<String, Double> scores, boolean dropped,
            Map<String, String> variants) {
        return Result.newBuilder().setRequestId("r").setGraph("chain").setEventTimeMs(1).setCompletedMs(2).setLatencyMs(1)
                .setSloMet(true).setVariants(variants).setAccuracy(planned).setTaskRuns(2).setDropped(dropped).setPlanVersion(plan)
                .setAccuracyMeasured(measured).setTaskScores(scores).build();
    }

    @Test
    void errorsThatComeTogetherScoreAboveTheProductOfTheTasksMeans() {
        stats.add(result(1, 0.9, 1.0, Map.of("a", 1.0, "b", 1.0), false));
        stats.add(result(1, 0.9, 0.0, Map.of("a", 0.0, "b", 0.0), false));

        assertThat(stats.scored()).isEqualTo(2);
        assertThat(stats.planned()).isCloseTo(0.9, within(1e-9));
        assertThat(stats.measured()).isCloseTo(0.5, within(1e-9));
        assertThat(stats.fromTaskMeans()).as("0.5 x 0.5: what independent errors would give").isCloseTo(0.25, within(1e-9));
        assertThat(stats.taskScores()).containsEntry("a", 0.5).containsEntry("b", 0.5);
    }

    @Test
    void eachPlanVersionIsCheckedOnItsOwnRequestsAndUnscoredOrDroppedOnesDoNotCount() {
        stats.add(result(1, 1.0, 0.8, Map.of("a", 0.8), false));
        stats.add(result(2, 0.7, 0.75, Map.of("a", 0.75), false));
        stats.add(result(2, 0.7, null, Map.of(), false));
        stats.add(result(2, 0.0, 1.0, Map.of("a", 1.0), true));

        assertThat(stats.scored()).isEqualTo(2);
        assertThat(stats.perPlan()).containsOnlyKeys("v1", "v2");
        assertThat(stats.perPlan().get("v1")).satisfies(v1 -> {
            assertThat(v1.scored()).isEqualTo(1);
            assertThat(v1.accuracyMeasured()).isEqualTo(0.8);
            assertThat(v1.absDifference()).isEqualTo(0.2);
        });
        assertThat(stats.perPlan().get("v2")).satisfies(v2 -> {
            assertThat(v2.accuracyPlanned()).isEqualTo(0.7);
            assertThat(v2.absDifference()).isEqualTo(0.05);
        });
    }

    @Test
    void eachTasksPlannedScoreIsTheOfflineScoreOfTheCombinationThatServedIt() {
        io.jigsaw.core.graph.Combinations c = new io.jigsaw.core.graph.Combinations(List.of("a", "b"), List.of(List.of("a1"), List.of("b1")),
                new double[] {0.6}, new double[][] {{0.9, 0.7}}, 100);
        AccuracyStats withCombinations = new AccuracyStats(new Scorer(graph), c);
        // The second request's b ran nothing (b not in its variants, no score): a's planned score still counts.
        withCombinations.add(result(1, 0.6, 0.5, Map.of("a", 1.0, "b", 0.5), false, Map.of("a", "a1", "b", "b1")));
        withCombinations.add(result(1, 0.6, 1.0, Map.of("a", 1.0), false, Map.of("a", "a1")));

        assertThat(withCombinations.plannedTaskScores()).containsEntry("a", 0.9).containsEntry("b", 0.7);
        assertThat(withCombinations.taskScores()).containsEntry("a", 1.0).containsEntry("b", 0.5);
    }
}
