package io.jigsaw.core.plan;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.GraphLoader;
import io.jigsaw.core.graph.YamlGraphReaderTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SlackTest {

    @TempDir
    Path dir;

    @Test
    void whatATaskLeavesForTheTasksBelowIsTheLongestChainOfTheirPlannedBudgets() throws IOException {
        Graph graph = GraphLoader.load(Files.writeString(dir.resolve("g.yaml"), YamlGraphReaderTest.XR));
        Plan plan = PlanValidatorTest.plan("xr", "d-s", 50, 30);
        // detect -> {classify, depth} -> fuse; make depth's branch the longer one.
        List<TaskPlan> tasks = new ArrayList<>(plan.tasks());
        TaskPlan depth = tasks.get(2);
        tasks.set(2, new TaskPlan(depth.task(), depth.variant(), depth.batchSize(), depth.batchTimeoutMs(), 70, depth.partitions()));
        plan = new Plan(plan.graph(), 1, "test", "", tasks);

        assertThat(Slack.downstreamMs(graph, plan))
                .containsEntry("detect", 70.0 + 50)
                .containsEntry("classify", 50.0)
                .containsEntry("depth", 50.0)
                .containsEntry("fuse", 0.0);
    }

    @Test
    void theLadderGivesItsMostAccurateRungThatFitsTheSlackAndItsFastestWhenNoneDoes() {
        List<Adaptation.Rung> ladder = List.of(new Adaptation.Rung("l", 30), new Adaptation.Rung("m", 12), new Adaptation.Rung("s", 4));

        assertThat(Slack.fit(ladder, 100).variant()).isEqualTo("l");
        assertThat(Slack.fit(ladder, 30).variant()).isEqualTo("l");
        assertThat(Slack.fit(ladder, 29.9).variant()).isEqualTo("m");
        assertThat(Slack.fit(ladder, 5).variant()).isEqualTo("s");
        assertThat(Slack.fit(ladder, -10).variant()).isEqualTo("s");
    }
}
