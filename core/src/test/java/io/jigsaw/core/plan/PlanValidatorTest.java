package io.jigsaw.core.plan;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.GraphLoader;
import io.jigsaw.core.graph.YamlGraphReaderTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PlanValidatorTest {

    @TempDir
    Path dir;
    Graph graph;

    @BeforeEach
    void loadGraph() throws IOException {
        Files.writeString(dir.resolve("g.yaml"), YamlGraphReaderTest.XR);
        graph = GraphLoader.load(dir.resolve("g.yaml"));
    }

    static Plan plan(String graph, String detectVariant, double detectShare, double fuseShare) {
        return new Plan(graph, 1, "test", "", List.of(
                new TaskPlan("detect", detectVariant, 4, 5, 50, List.of(new Partition(0, detectShare))),
                new TaskPlan("classify", "c-s", 2, 5, 50, List.of(new Partition(0, 20), new Partition(1, 20))),
                new TaskPlan("depth", "z-s", 1, 0, 50, List.of(new Partition(1, 30))),
                new TaskPlan("fuse", "f", 1, 0, 50, List.of(new Partition(0, fuseShare)))));
    }

    @Test
    void aLadderMayNameOnlyTheTasksVariantsAndACascadeNeedsLabelsAKnownVariantAndAScore() {
        Plan base = plan("xr", "d-s", 50, 30);
        List<TaskPlan> tasks = new java.util.ArrayList<>(base.tasks());
        tasks.set(0, tasks.get(0).withAdaptation(new Adaptation(List.of(new Adaptation.Rung("d-xl", 5), new Adaptation.Rung("d-s", -1)), null)));
        tasks.set(1, tasks.get(1).withAdaptation(new Adaptation(List.of(), new Adaptation.Cascade("c-xl", 1.5, 3, 0.2))));
        Plan plan = new Plan(base.graph(), 1, "test", "", tasks);

        assertThat(PlanValidator.problems(plan, graph)).containsExactlyInAnyOrder(
                "task 'detect': ladder rung names unknown variant 'd-xl' (variants: [d-s, d-l])",
                "task 'detect': ladder rung d-s: batch_ms must be >= 0, found -1.0",
                "task 'classify': a cascade escalates on the top label score, and this task has no labels",
                "task 'classify': cascade escalates to unknown variant 'c-xl' (variants: [c-s])",
                "task 'classify': cascade threshold must be a score in [0, 1], found 1.5");
    }

    @Test
    void aPlanThatFitsHasNoProblems() {
        assertThat(PlanValidator.problems(plan("xr", "d-s", 50, 30), graph)).isEmpty();
    }

    @Test
    void anUnknownVariantIsNamedWithTheKnownOnes() {
        assertThat(PlanValidator.problems(plan("xr", "d-xl", 50, 30), graph))
                .containsExactly("task 'detect': unknown variant 'd-xl' (variants: [d-s, d-l])");
    }

    @Test
    void aGpuOverOneHundredPercentIsRejected() {
        assertThat(PlanValidator.problems(plan("xr", "d-s", 60, 30), graph))
                .containsExactly("GPU 0 is over-committed: its partitions add up to 110.0 %");
    }

    @Test
    void aPlanForAnotherGraphIsRejectedWhole() {
        assertThat(PlanValidator.problems(plan("other", "d-s", 50, 30), graph))
                .containsExactly("plan is for graph 'other', not 'xr'");
    }

    @Test
    void missingAndUnknownTasksAreBothReported() {
        Plan p = plan("xr", "d-s", 50, 30);
        List<TaskPlan> tasks = new java.util.ArrayList<>(p.tasks().subList(0, 3));
        tasks.add(new TaskPlan("track", "t", 1, 0, 0, List.of(new Partition(2, 10))));

        assertThat(PlanValidator.problems(new Plan("xr", 2, "t", "", tasks), graph)).containsExactlyInAnyOrder(
                "unknown task 'track' (graph tasks: [detect, classify, depth, fuse])",
                "task 'fuse' is missing from the plan");
    }
}
