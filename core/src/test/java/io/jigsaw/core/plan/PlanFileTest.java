package io.jigsaw.core.plan;

import io.jigsaw.core.input.InputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

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
