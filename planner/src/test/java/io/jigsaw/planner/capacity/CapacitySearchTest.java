package io.jigsaw.planner.capacity;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.Task;
import io.jigsaw.core.graph.Variant;
import io.jigsaw.planner.model.PlanningInstance;
import io.jigsaw.planner.model.Policy;
import io.jigsaw.planner.profile.Profile;
import io.jigsaw.planner.profile.ProfileRow;
import io.jigsaw.planner.profile.ShareGrid;
import io.jigsaw.planner.solver.PlanSolver;
import io.jigsaw.planner.solver.SolverSettings;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class CapacitySearchTest {

    private final CapacitySearch search = new CapacitySearch(
            new PlanSolver(SolverSettings.defaults().withLimits(Duration.ofSeconds(2), Duration.ofMillis(200)).firstFeasible())::solve, 0.01);

    @Test
    void oneTaskOnTwoGpusServesTwiceItsPlannedThroughput() {
        // Batch 1 at 10 ms: 100/s per whole GPU, planned to 90 %: 2 GPUs → 180 req/s.
        CapacitySearch.Result r = search.search(single(10, 2, 1000), probe -> { });
        assertThat(r.capacityRps()).isCloseTo(180, within(180 * 0.01));
        assertThat(r.plan()).hasValueSatisfying(p -> assertThat(p.feasible()).isTrue());
        assertThat(r.reason()).contains("GPUs:");
    }

    @Test
    void anSloNoVariantCanMeetGivesZeroWithTheReason() {
        // 10 ms batches, bound 20 ms, SLO 15 ms.
        CapacitySearch.Result r = search.search(single(10, 2, 15), probe -> { });
        assertThat(r.capacityRps()).isZero();
        assertThat(r.plan()).isEmpty();
        assertThat(r.reason()).contains("latency SLO");
    }

    private static PlanningInstance single(double ms, int gpus, double sloMs) {
        Graph g = new Graph("one", sloMs, 0.9, null, List.of(new Task("t", List.of(),
                List.of(new Variant("v", 1.0, null, Map.of(), null, false)))), null, List.of());
        List<ProfileRow> rows = new ArrayList<>();
        rows.add(new ProfileRow("v", "gpu", 100, 1, ms, ms, ProfileRow.Source.MEASURED));
        return PlanningInstance.of(g, new Profile("gpu", rows, List.of()), 1, gpus, ShareGrid.wholeGpus(), Policy.JIGSAW);
    }
}
