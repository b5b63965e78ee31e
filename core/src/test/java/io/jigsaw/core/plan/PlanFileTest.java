package io.jigsaw.core.plan;

import io.jigsaw.core.input.InputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PlanFileTest {

    @TempDir
    Path dir;

    @Test
    void aWrittenPlanReadsBackEqual() throws IOException {
        Plan plan = PlanValidatorTest.plan("xr", "d-s", 50, 30);
        PlanFile.write(plan, dir.resolve("plan.json"));

        assertThat(PlanFile.read(dir.resolve("plan.json"))).isEqualTo(plan);
    }

    @Test
    void aSplitTasksReplicasKeepTheirVariantBatchAndWeightThroughTheFileAndTheTopic() throws IOException {
        Plan base = PlanValidatorTest.plan("xr", "d-s", 50, 30);
        TaskPlan first = base.tasks().get(0);
        TaskPlan split = new TaskPlan(first.task(), first.variant(), first.batchSize(), first.batchTimeoutMs(), first.latencyBudgetMs(),
                List.of(new Partition(0, 50, "d-s", 4, 0.7), new Partition(1, 50, "d-l", 2, 0.3)));
        List<TaskPlan> tasks = new java.util.ArrayList<>(base.tasks());
        tasks.set(0, split);
        Plan plan = new Plan(base.graph(), base.version(), base.createdBy(), base.note(), tasks);

        PlanFile.write(plan, dir.resolve("split.json"));
        assertThat(PlanFile.read(dir.resolve("split.json"))).isEqualTo(plan);
        assertThat(PlanAvro.fromAvro(PlanAvro.toAvro(plan))).isEqualTo(plan);
        assertThat(split.split()).isTrue();
        assertThat(split.variantOf(1)).isEqualTo("d-l");
        assertThat(split.batchSizeOf(1)).isEqualTo(2);
        assertThat(split.routingWeights()).containsExactly(0.7, 0.3);
    }

    @Test
    void aReplicasMigSliceGoesThroughTheFileAndTheTopic() throws IOException {
        Plan base = PlanValidatorTest.plan("xr", "d-s", 50, 30);
        TaskPlan first = base.tasks().get(0);
        // Two processes sharing the 1g slice at memory slice 0 of GPU 0, each on half of it.
        TaskPlan sliced = new TaskPlan(first.task(), first.variant(), first.batchSize(), first.batchTimeoutMs(), first.latencyBudgetMs(),
                List.of(new Partition(0, 100.0 / 14, null, 0, 0, "1g.10gb@0"), new Partition(0, 100.0 / 14, null, 0, 0, "1g.10gb@0")));
        List<TaskPlan> tasks = new java.util.ArrayList<>(base.tasks());
        tasks.set(0, sliced);
        Plan plan = new Plan(base.graph(), base.version(), base.createdBy(), base.note(), tasks);

        PlanFile.write(plan, dir.resolve("mig.json"));
        assertThat(java.nio.file.Files.readString(dir.resolve("mig.json"))).contains("\"mig_slice\" : \"1g.10gb@0\"");
        assertThat(PlanFile.read(dir.resolve("mig.json"))).isEqualTo(plan);
        assertThat(PlanAvro.fromAvro(PlanAvro.toAvro(plan))).isEqualTo(plan);
        // A plan without slices writes none (and reads as before).
        PlanFile.write(base, dir.resolve("mps.json"));
        assertThat(java.nio.file.Files.readString(dir.resolve("mps.json"))).doesNotContain("mig_slice");
    }

    @Test
    void aLadderAndACascadeGoThroughTheFileAndTheTopicAndPlansWithoutThemReadAsBefore() throws IOException {
        Plan base = PlanValidatorTest.plan("xr", "d-s", 50, 30);
        List<TaskPlan> tasks = new java.util.ArrayList<>(base.tasks());
        tasks.set(0, tasks.get(0).withAdaptation(new Adaptation(List.of(new Adaptation.Rung("d-l", 12.5), new Adaptation.Rung("d-s", 4)),
                new Adaptation.Cascade("d-l", 0.62, 12.5, 0.31))));
        Plan plan = new Plan(base.graph(), base.version(), base.createdBy(), base.note(), tasks);

        PlanFile.write(plan, dir.resolve("adapted.json"));
        assertThat(PlanFile.read(dir.resolve("adapted.json"))).isEqualTo(plan);
        assertThat(PlanAvro.fromAvro(PlanAvro.toAvro(plan))).isEqualTo(plan);
        PlanFile.write(base, dir.resolve("plain.json"));
        assertThat(Files.readString(dir.resolve("plain.json"))).doesNotContain("ladder").doesNotContain("cascade");
        assertThat(PlanFile.read(dir.resolve("plain.json")).tasks()).allSatisfy(t -> assertThat(t.adaptation().none()).isTrue());
    }

    @Test
    void theAvroRecordOnThePlansTopicCarriesTheSamePlan() {
        Plan plan = PlanValidatorTest.plan("xr", "d-s", 50, 30);

        assertThat(PlanAvro.fromAvro(PlanAvro.toAvro(plan))).isEqualTo(plan);
    }

    @Test
    void aBadFieldIsNamedByItsPath() throws IOException {
        String json = PlanFile.toJson(PlanValidatorTest.plan("xr", "d-s", 50, 30)).replaceFirst("\"batch_size\" : 4", "\"batch_size\" : \"four\"");
        Files.writeString(dir.resolve("plan.json"), json);

        assertThatThrownBy(() -> PlanFile.read(dir.resolve("plan.json"))).isInstanceOf(InputException.class)
                .hasMessageContaining("plan.json: tasks[0].batch_size: expected an integer, found string");
    }
}
