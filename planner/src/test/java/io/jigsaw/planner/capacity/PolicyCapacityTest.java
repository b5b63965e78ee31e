package io.jigsaw.planner.capacity;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.planner.LokiApp;
import io.jigsaw.planner.TinyGraph;
import io.jigsaw.planner.model.PlanningInstance;
import io.jigsaw.planner.model.Policy;
import io.jigsaw.planner.profile.Profile;
import io.jigsaw.planner.profile.ProfileLoader;
import io.jigsaw.planner.profile.ShareGrid;
import io.jigsaw.planner.solver.SolverSettings;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class PolicyCapacityTest {

    private static final SolverSettings SETTINGS = SolverSettings.defaults().withLimits(Duration.ofSeconds(3), Duration.ofMillis(500));

    @Test
    void lokisPoliciesAreSolvedByItsIlpAndTheFigureIsProven() {
        PolicyCapacity.Figure f = new PolicyCapacity(SETTINGS, 0.01, Duration.ofSeconds(60))
                .find(TinyGraph.instance(Policy.LOKI).withGpus(3), probe -> { });

        assertThat(f.capacityRps()).isCloseTo(100, within(1e-6));
        assertThat(f.gap()).isZero();
        assertThat(f.method()).contains("ILP");
    }

    @Test
    void withoutABoundAHeuristicsFigureHasNoKnownGap() {
        PolicyCapacity.Figure f = new PolicyCapacity(SETTINGS, 0.02, Duration.ofSeconds(60))
                .find(TinyGraph.instance(Policy.JIGSAW).withGpus(2), probe -> { });

        assertThat(f.capacityRps()).isPositive();
        assertThat(f.gap()).isNaN();
        assertThat(f.gapLabel()).isEqualTo("n/a");
    }

    /**
     * Loki's traffic app (the test copy's rows) at 60 ms on 8 GPUs: the per-path relaxation bounds what any plan of the
     * planner's model serves, and the per-task branch and bound proves a demand one step (the tolerance) above the
     * figure (or the per-path bound, if lower) not served: the figure is below that bound by the gap printed, at most
     * the tolerance.
     */
    @Test
    void aBoundedFigureIsBelowItsBoundByTheGapItPrints() {
        Graph g = LokiApp.graph().withLatencySlo(60).withAccuracySlo(0.9);
        Profile profile = ProfileLoader.load(g, LokiApp.file(), List.of(), null, ShareGrid.mps(10));
        PlanningInstance template = new PlanningInstance(g, profile, 1, 8, ShareGrid.mps(10), Policy.JIGSAW, 0.9,
                PlanningInstance.AccuracyRule.TRAFFIC_WEIGHTED_MEAN);

        PolicyCapacity.Figure f = new PolicyCapacity(SETTINGS, 0.005, Duration.ofSeconds(60), Duration.ofSeconds(90)).find(template, probe -> { });

        assertThat(f.capacityRps()).isPositive().isLessThanOrEqualTo(f.boundRps());
        assertThat(f.method()).contains("per-path relaxation").contains("per-task branch and bound").contains("no plan serves");
        assertThat(f.gap()).isCloseTo((f.boundRps() - f.capacityRps()) / f.boundRps(), within(1e-12));
        assertThat(f.boundRps()).isLessThanOrEqualTo(f.capacityRps() * 1.005 + 1e-6);
    }
}
