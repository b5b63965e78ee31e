package io.jigsaw.planner.capacity;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.Task;
import io.jigsaw.core.graph.Variant;
import io.jigsaw.planner.model.PlanningInstance;
import io.jigsaw.planner.model.Policy;
import io.jigsaw.planner.model.SolvedPlan;
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
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class FrameworkCpuTest {

    private final PlanSolver solver = new PlanSolver(SolverSettings.defaults().withLimits(Duration.ofSeconds(2), Duration.ofMillis(200)));

    @Test
    void theModelsTakeTheirBatchTimeOnTheThreadsOfTheirShare() {
        // One replica of the whole 2-thread device: a 10 ms batch of 2 keeps both threads busy, 10 CPU ms per request.
        SolvedPlan plan = solver.solve(oneTask("cpu-2t", 10, 2, 30));
        assertThat(plan.feasible()).isTrue();
        assertThat(FrameworkCpu.modelCpuMsPerRequest(plan)).isCloseTo(10, within(1e-9));
    }

    @Test
    void theFrameworkIsWhatTheMachineSpentBeyondTheModels() {
        SolvedPlan plan = solver.solve(oneTask("cpu-2t", 10, 2, 30));
        assertThat(FrameworkCpu.derive(plan, 14.5)).isCloseTo(4.5, within(1e-9));
        // A measurement below the model's own figure leaves the framework nothing, not a negative reserve.
        assertThat(FrameworkCpu.derive(plan, 8)).isZero();
    }

    @Test
    void onlyACpuDeviceSharesItsCoresWithTheFramework() {
        SolvedPlan plan = solver.solve(oneTask("h100", 10, 2, 30));
        assertThatThrownBy(() -> FrameworkCpu.modelCpuMsPerRequest(plan)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cpu-Nt").hasMessageContaining("h100");
    }

    private static PlanningInstance oneTask(String device, double batchMs, int batch, double demand) {
        Graph g = new Graph("one", 1000, 0.9, null, List.of(new Task("t", List.of(),
                List.of(new Variant("v", 1.0, null, Map.of(), null, false)))), null, List.of());
        Profile profile = new Profile(device, List.of(new ProfileRow("v", device, 100, batch, batchMs, batchMs, ProfileRow.Source.MEASURED)),
                List.of());
        return PlanningInstance.of(g, profile, demand, 1, ShareGrid.wholeGpus(), Policy.JIGSAW);
    }
}
