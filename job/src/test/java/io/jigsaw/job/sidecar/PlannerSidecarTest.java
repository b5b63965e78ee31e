package io.jigsaw.job.sidecar;

import io.jigsaw.core.plan.Partition;
import io.jigsaw.core.plan.Plan;
import io.jigsaw.core.plan.TaskPlan;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

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
}
