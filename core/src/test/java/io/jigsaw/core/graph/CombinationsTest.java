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
import static org.assertj.core.api.Assertions.within;

/** combinations.csv: read beside accuracy.csv, checked against the graph, and mixed by each task's traffic. */
class CombinationsTest {

    @TempDir
    Path dir;

    /** YamlGraphReaderTest's graph: detect d-s / d-l, then one variant each of classify, depth and fuse. */
    private Path graph() throws IOException {
        Path f = dir.resolve("graph.yaml");
        Files.writeString(f, YamlGraphReaderTest.XR);
        Files.createDirectories(dir.resolve("models"));
        Files.writeString(dir.resolve("models").resolve(AccuracyCsv.FILE), AccuracyCsv.HEADER + "\n");
        return f;
    }

    private void combinations(String... rows) throws IOException {
        Files.writeString(dir.resolve("models").resolve(Combinations.FILE), String.join("\n",
                "detect,classify,depth,fuse,end_to_end,detect_score,classify_score,depth_score,fuse_score,scenes", String.join("\n", rows)));
    }

    @Test
    void theGraphCarriesTheCombinationsMeasuredBesideItsAccuracies() throws IOException {
        Path f = graph();
        combinations("d-s,c-s,z-s,f,0.40,0.6,0.9,,0.7,500", "d-l,c-s,z-s,f,0.70,0.9,0.95,,0.8,500");

        Combinations c = GraphLoader.load(f).measuredCombinations().orElseThrow();

        assertThat(c.scenes()).isEqualTo(500);
        assertThat(c.best()).isEqualTo(0.70);
        assertThat(c.endToEnd()[c.index(List.of("d-s", "c-s", "z-s", "f"))]).isEqualTo(0.40);
        assertThat(c.taskScores()[c.index(List.of("d-l", "c-s", "z-s", "f"))]).containsExactly(0.9, 0.95, Double.NaN, 0.8);
        // A quarter of the frames on d-s: a quarter of the requests get the d-s combination.
        assertThat(c.expected(new double[][] {{0.25, 0.75}, {1}, {1}, {1}})).isCloseTo(0.25 * 0.40 + 0.75 * 0.70, within(1e-12));
        assertThat(c.bestCombination()).containsEntry("detect", "d-l");
    }

    @Test
    void everyCombinationMustHaveItsRowAndEveryVariantMustBeTheGraphs() throws IOException {
        Path f = graph();
        combinations("d-s,c-s,z-s,f,0.40,,,,,500");
        assertThatThrownBy(() -> GraphLoader.load(f)).isInstanceOf(InputException.class)
                .hasMessageContaining("no row for the combination [d-l, c-s, z-s, f]");

        combinations("d-xl,c-s,z-s,f,0.40,,,,,500");
        assertThatThrownBy(() -> GraphLoader.load(f)).isInstanceOf(InputException.class)
                .hasMessageContaining("task detect has no variant 'd-xl'").hasMessageContaining("[d-s, d-l]");
    }

    @Test
    void anEndToEndSloNeedsCombinationsAndWithoutThemThePlannerKeepsThePathProduct() throws IOException {
        Path f = graph();
        assertThat(GraphLoader.load(f).measuredCombinations()).isEmpty();

        Files.writeString(f, YamlGraphReaderTest.XR.replace("accuracy_slo: 0.8", "accuracy_slo: {end_to_end: 0.6}"));
        assertThatThrownBy(() -> GraphLoader.load(f)).isInstanceOf(InputException.class).hasMessageContaining("accuracy_slo")
                .hasMessageContaining("combinations.csv");

        combinations("d-s,c-s,z-s,f,0.40,,,,,500", "d-l,c-s,z-s,f,0.70,,,,,500");
        Graph g = GraphLoader.load(f);
        assertThat(g.accuracySloAbsolute()).isTrue();
        assertThat(g.accuracyFloor(0.70)).isEqualTo(0.6);
        assertThat(g.accuracySloText()).isEqualTo("end-to-end >= 0.600");
    }

    @Test
    void writtenAndReadBackTheSame() throws IOException {
        Path f = graph();
        Graph g = GraphLoader.load(f);
        Combinations c = new Combinations(List.of("detect", "classify", "depth", "fuse"),
                List.of(List.of("d-s", "d-l"), List.of("c-s"), List.of("z-s"), List.of("f")), new double[] {0.25, 0.5},
                new double[][] {{0.5, Double.NaN, 1, 0.25}, {0.75, 1, 1, 0.5}}, 40);
        Path file = dir.resolve("models").resolve(Combinations.FILE);
        c.write(file);

        Combinations back = Combinations.read(file, g);
        assertThat(back.endToEnd()).containsExactly(0.25, 0.5);
        assertThat(back.taskScores()[0]).containsExactly(0.5, Double.NaN, 1, 0.25);
        assertThat(back.combination(1)).containsExactly("d-l", "c-s", "z-s", "f");
    }
}
