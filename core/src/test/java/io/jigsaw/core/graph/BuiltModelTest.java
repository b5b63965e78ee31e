package io.jigsaw.core.graph;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** A built model is served only as built: from the same stamp, its files unchanged. */
class BuiltModelTest {

    @TempDir
    Path model;

    @BeforeEach
    void build() throws IOException {
        Files.write(model.resolve("saved_model.pb"), new byte[] {1, 2, 3});
        Files.createDirectories(model.resolve("variables"));
        Files.write(model.resolve("variables/variables.data-00000-of-00001"), new byte[] {4, 5, 6, 7});
        BuiltModel.record(model, "classifier conv=[8] input=[32, 32, 3]");
    }

    @Test
    void aModelAsBuiltHasNoProblem() throws IOException {
        assertThat(BuiltModel.problem(model, "classifier conv=[8] input=[32, 32, 3]")).isEmpty();
    }

    @Test
    void anotherStampMeansAnotherRecipe() throws IOException {
        assertThat(BuiltModel.problem(model, "classifier conv=[16] input=[32, 32, 3]")).get().asString()
                .contains("another recipe");
    }

    @Test
    void aChangedWeightsFileIsNamed() throws IOException {
        Files.write(model.resolve("variables/variables.data-00000-of-00001"), new byte[] {4, 5, 6});

        assertThat(BuiltModel.problem(model, "classifier conv=[8] input=[32, 32, 3]")).get().asString()
                .contains("variables.data-00000-of-00001").contains("changed since it was built");
    }

    @Test
    void aMissingFileOrGraphIsNamed() throws IOException {
        Files.delete(model.resolve("variables/variables.data-00000-of-00001"));
        assertThat(BuiltModel.problem(model, "classifier conv=[8] input=[32, 32, 3]")).get().asString()
                .contains("variables.data-00000-of-00001 is missing");

        Files.delete(model.resolve("saved_model.pb"));
        assertThat(BuiltModel.problem(model, "classifier conv=[8] input=[32, 32, 3]")).get().asString()
                .contains("saved_model.pb");
    }
}
