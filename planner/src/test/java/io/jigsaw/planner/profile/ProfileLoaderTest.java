package io.jigsaw.planner.profile;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.input.InputException;
import io.jigsaw.planner.LokiApp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ProfileLoaderTest {

    @TempDir
    Path dir;

    @Test
    void lokiAppsUseTheRuntimesBesideThemAndSayWhatIsMissing() {
        Graph g = LokiApp.graph();
        Profile p = ProfileLoader.load(g, LokiApp.file(), List.of(), null, ShareGrid.mps(10));
        assertThat(p.device()).isEqualTo(LokiRuntimes.DEFAULT_DEVICE);
        assertThat(p.has("efficientnet-b7")).isFalse();
        assertThat(p.warnings()).anySatisfy(w -> assertThat(w).contains("efficientnet-b7").contains("left out"));
        // 50th_pct of yolov5s, batch 1, on ampere; 95th_pct as the tail.
        ProfileRow whole = p.row("yolov5s", 100, 1).orElseThrow();
        assertThat(whole.p50Ms()).isCloseTo(11.0362768173217, within(1e-9));
        assertThat(whole.p99Ms()).isCloseTo(13.2638931274414, within(1e-9));
        assertThat(whole.derived()).isFalse();
    }

    @Test
    void partitionRowsAreDerivedFromTheBatchCurveAndMarked() {
        List<ProfileRow> measured = List.of(
                new ProfileRow("v", "gpu", 100, 1, 10, 12, ProfileRow.Source.MEASURED),  // 100/s
                new ProfileRow("v", "gpu", 100, 4, 20, 24, ProfileRow.Source.MEASURED),  // 200/s: the best
                new ProfileRow("v", "gpu", 50, 4, 45, 50, ProfileRow.Source.MEASURED));
        Profile p = new Profile("gpu", PartitionModel.complete(measured, ShareGrid.mps(25)), List.of());
        // Batch 1 keeps u = 0.5 of the GPU busy: full speed down to 50 %, then latency × u/p.
        assertThat(p.row("v", 75, 1).orElseThrow().p50Ms()).isCloseTo(10, within(1e-9));
        assertThat(p.row("v", 25, 1).orElseThrow().p99Ms()).isCloseTo(24, within(1e-9));
        // 50 % was measured (at batch 4): its missing batch 1 was not measurable there, so none is derived.
        assertThat(p.row("v", 50, 1)).isEmpty();
        assertThat(p.row("v", 25, 1).orElseThrow().derived()).isTrue();
        // A measured row is never replaced by a derived one.
        assertThat(p.row("v", 50, 4).orElseThrow().p50Ms()).isEqualTo(45);
        assertThat(p.row("v", 50, 4).orElseThrow().derived()).isFalse();
        assertThat(p.derivedRows()).isEqualTo(4); // batch 1 and 4 at 25 and 75
    }

    @Test
    void unknownVariantInOurProfileNamesTheFileAndTheVariant() throws IOException {
        Path csv = write("profile.csv", ProfileCsv.HEADER, "yolov5q,gpu,100,1,3.0,4.0,measured");
        assertThatThrownBy(() -> ProfileLoader.load(LokiApp.graph(), LokiApp.file(), List.of(csv), null, ShareGrid.mps(10)))
                .isInstanceOf(InputException.class)
                .hasMessageContaining(csv.toString())
                .hasMessageContaining("'yolov5q' is not in graph traffic_analysis");
    }

    @Test
    void badNumbersNameTheLine() throws IOException {
        Path csv = write("profile.csv", ProfileCsv.HEADER, "yolov5n,gpu,100,1,3.0,4.0,measured", "yolov5n,gpu,100,2,fast,4.0,measured");
        assertThatThrownBy(() -> ProfileCsv.read(csv))
                .hasMessageContaining("line 3")
                .hasMessageContaining("p50_ms");
    }

    @Test
    void aVariantWithoutBatchOneIsRejected() throws IOException {
        Path csv = write("profile.csv", ProfileCsv.HEADER, "yolov5n,gpu,100,2,3.0,4.0,measured");
        assertThatThrownBy(() -> ProfileLoader.load(LokiApp.graph(), LokiApp.file(), List.of(csv), null, ShareGrid.mps(10)))
                .hasMessageContaining("yolov5n")
                .hasMessageContaining("no batch-1 row");
    }

    @Test
    void anUnknownDeviceListsTheDevicesThere() {
        assertThatThrownBy(() -> ProfileLoader.load(LokiApp.graph(), LokiApp.file(), List.of(), "tpu", ShareGrid.mps(10)))
                .hasMessageContaining("no rows for device 'tpu'")
                .hasMessageContaining("onnxruntime_gpu_ampere");
    }

    @Test
    void aTaskWithNoProfiledVariantIsAnError() throws IOException {
        Path csv = write("profile.csv", ProfileCsv.HEADER, "yolov5n,gpu,100,1,3.0,4.0,measured");
        assertThatThrownBy(() -> ProfileLoader.load(LokiApp.graph(), LokiApp.file(), List.of(csv), null, ShareGrid.mps(10)))
                .hasMessageContaining("task 'car_classification' has no profiled variant");
    }

    @Test
    void ourFormatRoundTrips() throws IOException {
        List<ProfileRow> rows = List.of(new ProfileRow("v", "cpu-2", 50, 8, 12.5, 20.25, ProfileRow.Source.MEASURED),
                new ProfileRow("v", "cpu-2", 100, 8, 7.0, 9.0, ProfileRow.Source.DERIVED));
        Path file = dir.resolve("out.csv");
        ProfileCsv.write(file, rows);
        assertThat(ProfileCsv.read(file)).containsExactlyInAnyOrderElementsOf(rows);
    }

    private Path write(String name, String... lines) throws IOException {
        Path f = dir.resolve(name);
        Files.write(f, List.of(lines));
        return f;
    }
}
