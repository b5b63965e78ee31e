package io.jigsaw.job.sidecar;

import io.jigsaw.core.plan.Partition;
import io.jigsaw.core.plan.Plan;
import io.jigsaw.core.plan.TaskPlan;
import io.jigsaw.planner.model.PlanningInstance;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PlannerSidecarTest {

    private static Plan plan(int detectReplicas) {
        List<Partition> parts = java.util.stream.IntStream.range(0, detectReplicas).mapToObj(i -> new Partition(0, 20)).toList();
        return new Plan("xr-scene", 3, "planner sidecar", "", List.of(
                new TaskPlan("detect", "detect-s", 2, 5, 50, parts),
                new TaskPlan("classify", "classify-s", 4, 5, 50, List.of(new Partition(0, 30)))));
    }

    @Test
    void warnsWhenAPlanWantsMoreReplicasThanTheJobHasSlots() {
        assertThat(PlannerSidecar.replicasBeyondSlots(plan(3), 2))
                .isEqualTo("task detect is planned 3 replicas but the job runs 2 per task (jigsaw.replica-slots): only 2 serve"
                        + " until the job is rescaled with more slots");
        assertThat(PlannerSidecar.replicasBeyondSlots(plan(2), 2)).isEmpty();
    }

    @Test
    void describesAPlanOnOneLine() {
        assertThat(PlannerSidecar.describe(plan(2))).isEqualTo("[detect-s b2 x2, classify-s b4 x1]");
    }

    @Test
    void plansToWhatIsLeftOfTheSloOnceTheResultHasReachedItsReader() {
        Configuration exactlyOnce = Configuration.fromMap(Map.of("jigsaw.delivery", "exactly_once", "jigsaw.checkpoint.interval", "100 ms"));
        PlanningInstance demo = PlannerSidecarIntegrationTest.demoPlanning();

        assertThat(PlannerSidecar.withinDeliveredSlo(demo, new Configuration()).graph().latencySloMs())
                .isEqualTo(demo.graph().latencySloMs() - 15);
        assertThat(PlannerSidecar.withinDeliveredSlo(demo, exactlyOnce).graph().latencySloMs())
                .isEqualTo(demo.graph().latencySloMs() - 115);
    }

    @Test
    void refusesACommitWaitThatLeavesTheGraphNoTime() {
        Configuration slowCommits = Configuration.fromMap(Map.of("jigsaw.delivery", "exactly_once", "jigsaw.checkpoint.interval", "1 s"));

        assertThatThrownBy(() -> PlannerSidecar.withinDeliveredSlo(PlannerSidecarIntegrationTest.demoPlanning(), slowCommits))
                .hasMessageContaining("leaves nothing for the graph").hasMessageContaining("checkpoint interval 1000 ms")
                .hasMessageContaining("idempotent");
    }
}
