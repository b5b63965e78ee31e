package io.jigsaw.planner.online;

import io.jigsaw.core.plan.Partition;
import io.jigsaw.core.plan.Plan;
import io.jigsaw.core.plan.TaskPlan;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RepartitionRuleTest {

    private static final RepartitionRule RULE = new RepartitionRule(Duration.ofSeconds(60));

    private static Plan plan(long version, String variant, Partition... detect) {
        return new Plan("g", version, "test", "", List.of(new TaskPlan("detect", variant, 2, 10, 100, List.of(detect)),
                new TaskPlan("fuse", "fuse-s", 4, 10, 100, List.of(new Partition(0, 10)))));
    }

    @Test
    void aPlanKeepingEveryPartitionAppliesLiveWithNothingToDecide() {
        Plan running = plan(1, "detect-m", new Partition(0, 40));

        assertThat(RULE.decide(running, plan(2, "detect-l", new Partition(0, 40)), 10_000)).isEmpty();
    }

    @Test
    void morePartitionsOrMoreShareAreAlwaysMovedTo() {
        Plan running = plan(1, "detect-m", new Partition(0, 40));

        assertThat(RULE.decide(running, plan(2, "detect-m", new Partition(0, 40), new Partition(1, 40)), 1e9)).hasValueSatisfying(d -> {
            assertThat(d.move()).isTrue();
            assertThat(d.why()).contains("cannot serve plan v2").contains("detect 1 -> 2 replicas").contains("50% -> 90%");
        });
        assertThat(RULE.decide(running, plan(2, "detect-m", new Partition(0, 60)), 1e9)).hasValueSatisfying(d ->
                assertThat(d.why()).contains("larger partitions"));
    }

    @Test
    void aSmallerPlanIsMovedToOnlyWhenItsSavingOutweighsThePauseOverTheCooldown() {
        Plan running = plan(1, "detect-m", new Partition(0, 40), new Partition(0, 40));
        Plan smaller = plan(2, "detect-m", new Partition(0, 40));

        // 40 of 90 % freed: 44 %; a 10 s pause is 17 % of the 60 s cool-down, a 30 s pause 50 %.
        assertThat(RULE.decide(running, smaller, 10_000)).hasValueSatisfying(d -> {
            assertThat(d.move()).isTrue();
            assertThat(d.why()).contains("frees 44% of the GPU share held (90% -> 50%)").contains("pause of 10.0 s, 17% of the 60 s");
        });
        assertThat(RULE.decide(running, smaller, 30_000)).hasValueSatisfying(d -> {
            assertThat(d.move()).isFalse();
            assertThat(d.why()).startsWith("kept the partitions running");
        });
    }
}
