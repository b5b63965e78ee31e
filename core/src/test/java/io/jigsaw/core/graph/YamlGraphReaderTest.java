package io.jigsaw.core.graph;

import io.jigsaw.core.input.InputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

public class YamlGraphReaderTest {

    public static final String XR = """
            name: xr
            latency_slo_ms: 200
            accuracy_slo: 0.8
            input: {shape: [8, 8, 3], dtype: float32}
            models_dir: models
            tasks:
              - name: detect
                variants:
                  - {name: d-s, accuracy: 80, model: d-s, recipe: {conv: [4], dense: 8}, fanout: {classify: 2.5}}
                  - {name: d-l, accuracy: 100, model: d-l}
              - name: classify
                after: detect
                variants: [{name: c-s, accuracy: 0.9}]
              - name: depth
                after: [detect]
                variants: [{name: z-s, accuracy: 0.7}]
              - name: fuse
                after: [classify, depth]
                variants: [{name: f, accuracy: 1}]
            """;

    @TempDir
    Path dir;

    Path write(String yaml) throws IOException {
        Path f = dir.resolve("graph.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    @Test
    void readsTasksInTopologicalOrderWithNormalisedAccuracy() throws IOException {
        Graph g = GraphLoader.load(write(XR));

        assertThat(g.name()).isEqualTo("xr");
        assertThat(g.tasks()).extracting(Task::name).containsExactly("detect", "classify", "depth", "fuse");
        assertThat(g.task("detect").orElseThrow().variant("d-s").orElseThrow().accuracy()).isEqualTo(0.8);
        assertThat(g.task("detect").orElseThrow().mostAccurate().name()).isEqualTo("d-l");
        assertThat(g.task("fuse").orElseThrow().after()).containsExactly("classify", "depth");
        assertThat(g.input().orElseThrow().shape()).containsExactly(8, 8, 3);
        assertThat(g.modelsDir()).contains(dir.resolve("models"));
        assertThat(g.paths()).containsExactly(List.of("detect", "classify", "fuse"), List.of("detect", "depth", "fuse"));
    }

    @Test
    void fanoutDefaultsToOnePiecePerChild() throws IOException {
        Task detect = GraphLoader.load(write(XR)).task("detect").orElseThrow();

        assertThat(detect.variant("d-s").orElseThrow().fanoutTo("classify")).isEqualTo(2.5);
        assertThat(detect.variant("d-s").orElseThrow().fanoutTo("depth")).isEqualTo(1.0);
        assertThat(detect.variant("d-s").orElseThrow().recipe().orElseThrow().conv()).containsExactly(4);
    }

    @Test
    void creditIntoAJoinOfAllBranchesIsTheWholeRequest() throws IOException {
        Graph g = GraphLoader.load(write(XR));

        assertThat(g.creditInto("detect")).isEqualTo(Credit.ONE);
        assertThat(g.creditInto("classify")).isEqualTo(new Credit(1, 2));
        assertThat(g.creditInto("fuse")).isEqualTo(Credit.ONE);
    }

    @Test
    void unknownParentNamesTheTaskAndTheKnownOnes() throws IOException {
        Path f = write(XR.replace("after: detect", "after: detct"));

        assertThatThrownBy(() -> GraphLoader.load(f)).isInstanceOf(InputException.class)
                .hasMessageContaining("graph.yaml: tasks[1].after")
                .hasMessageContaining("unknown task 'detct'")
                .hasMessageContaining("detect");
    }

    @Test
    void aCycleIsNamed() throws IOException {
        Path f = write("""
                name: loop
                latency_slo_ms: 100
                tasks:
                  - {name: a, variants: [{name: v, accuracy: 1}]}
                  - {name: b, after: [a, c], variants: [{name: v, accuracy: 1}]}
                  - {name: c, after: [b], variants: [{name: v, accuracy: 1}]}
                """);

        assertThatThrownBy(() -> GraphLoader.load(f)).isInstanceOf(InputException.class)
                .hasMessageContaining("cycle")
                .hasMessageMatching("(?s).*(b -> c -> b|c -> b -> c).*");
    }

    @Test
    void aMisspelledKeyIsAnErrorNotADefault() throws IOException {
        Path f = write(XR.replace("latency_slo_ms: 200", "latency_slo_ms: 200\nlatency_slo: 100"));

        assertThatThrownBy(() -> GraphLoader.load(f)).isInstanceOf(InputException.class)
                .hasMessageContaining("latency_slo: unknown key");
    }

    @Test
    void aMissingSloSaysWhatWasExpected() throws IOException {
        Path f = write(XR.replace("latency_slo_ms: 200\n", ""));

        assertThatThrownBy(() -> GraphLoader.load(f)).isInstanceOf(InputException.class)
                .hasMessageContaining("latency_slo_ms: expected a number, found nothing");
    }

    @Test
    void aNegativeAccuracyNamesTheVariantField() throws IOException {
        Path f = write(XR.replace("accuracy: 0.7", "accuracy: -1"));

        assertThatThrownBy(() -> GraphLoader.load(f)).isInstanceOf(InputException.class)
                .hasMessageContaining("tasks[2].variants[0].accuracy: expected a number > 0");
    }

    @Test
    void yamlSyntaxErrorsCarryTheLine() throws IOException {
        Path f = write("name: x\ntasks: [\n  - {name: a\n");

        assertThatThrownBy(() -> GraphLoader.load(f)).isInstanceOf(InputException.class)
                .hasMessageMatching("(?s).*graph.yaml: line \\d+: not valid YAML.*");
    }

    @Test
    void fanoutToATaskThatIsNotAChildIsRejected() throws IOException {
        Path f = write(XR.replace("fanout: {classify: 2.5}", "fanout: {fuse: 2}"));

        assertThatThrownBy(() -> GraphLoader.load(f)).isInstanceOf(InputException.class)
                .hasMessageContaining("'fuse' is not a child of 'detect'");
    }

    @Test
    void twoRootsAreRejected() throws IOException {
        Path f = write(XR.replace("    after: [detect]\n", ""));

        assertThatThrownBy(() -> GraphLoader.load(f)).isInstanceOf(InputException.class)
                .hasMessageContaining("exactly one root").hasMessageContaining("detect").hasMessageContaining("depth");
    }

    @Test
    void unknownExtensionAndMissingFileAreExplained() {
        assertThatThrownBy(() -> GraphLoader.load(dir.resolve("nope.yaml")))
                .isInstanceOf(InputException.class).hasMessageContaining("no such file");
    }
}
