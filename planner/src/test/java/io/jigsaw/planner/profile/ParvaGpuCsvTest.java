package io.jigsaw.planner.profile;

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

class ParvaGpuCsvTest {

    /** The artifact's files, copied verbatim beside the A100 example app. */
    static final Path PROF_DATA = Path.of(System.getProperty("jigsaw.examples.dir", "../examples"), "a100-vision", "prof_data");

    @TempDir
    Path dir;

    @Test
    void aSliceIsSeventhsOfTheGpuAndProcessesSharingItAreReplicasOnTheirPart() {
        List<ProfileRow> rows = ParvaGpuCsv.read(PROF_DATA.resolve("resnet50.csv"));
        // "1,1,1,196.762,0.005": one process alone on a 1g slice, batch 1, 196.762 samples/s.
        ProfileRow alone = rows.stream().filter(r -> r.share() == 100.0 / 7 && r.batch() == 1 && r.processes() == 1).findFirst().orElseThrow();
        assertThat(alone.variant()).isEqualTo("resnet50");
        assertThat(alone.device()).isEqualTo(ParvaGpuCsv.DEVICE);
        assertThat(alone.p50Ms()).isCloseTo(1000 / 196.762, within(1e-9));
        assertThat(alone.p99Ms()).isCloseTo(ParvaGpuCsv.TAIL_OVER_MEAN * 1000 / 196.762, within(1e-9));
        assertThat(alone.derived()).isFalse();
        // "1,1,2,125.968,0.008": two processes in that slice, each on half of it at its own rate.
        ProfileRow shared = rows.stream().filter(r -> r.processes() == 2 && r.batch() == 1 && r.sliceShare() == 100.0 / 7).findFirst().orElseThrow();
        assertThat(shared.share()).isCloseTo(100.0 / 14, within(1e-9));
        assertThat(shared.throughputPerSecond()).isCloseTo(125.968, within(1e-6));
        // The whole GPU is 7g, one process.
        assertThat(rows).anySatisfy(r -> assertThat(r.share() == 100.0 && r.processes() == 1 && r.batch() == 256).isTrue());
        // 0,0 rows (not measured) are not rows.
        assertThat(rows).allSatisfy(r -> assertThat(r.p50Ms()).isPositive());
        assertThat(rows).hasSizeLessThan(225);
    }

    @Test
    void aFolderStandsForItsModelsAndTheGraphTakesThoseItUses() {
        assertThat(ParvaGpuCsv.filesIn(PROF_DATA)).hasSize(11);
        Path graph = PROF_DATA.getParent().resolve("graph.yaml");
        Profile p = ProfileLoader.load(io.jigsaw.core.graph.GraphLoader.load(graph), graph, List.of(PROF_DATA), null, ShareGrid.migSlices());
        assertThat(p.device()).isEqualTo(ParvaGpuCsv.DEVICE);
        assertThat(p.has("bert")).isTrue();
        assertThat(p.derivedRows()).isZero();
        assertThat(p.processCounts("bert")).containsExactly(1, 2, 3, 4, 5);
        assertThat(p.describe()).contains("measured").contains("processes sharing a slice").contains("tail = 1.03 x mean");
        // With no --profile, the prof_data folder beside the graph is its profile.
        Profile beside = ProfileLoader.load(io.jigsaw.core.graph.GraphLoader.load(graph), graph, List.of(), null, ShareGrid.migSlices());
        assertThat(beside.rows()).hasSameSizeAs(p.rows());
    }

    @Test
    void aSliceThatIsNoA100SliceNamesTheFileAndLine() throws IOException {
        Path bad = Files.writeString(dir.resolve("resnet50.csv"),
                "Mig instance,Batch size,Workload Number,Throughput,Latency\n1,1,1,196.762,0.005\n5,1,1,300,0.003\n");
        assertThatThrownBy(() -> ParvaGpuCsv.read(bad)).isInstanceOf(InputException.class)
                .hasMessageContaining(bad.toString()).hasMessageContaining("3").hasMessageContaining("1, 2, 3, 4 or 7");
    }
}
