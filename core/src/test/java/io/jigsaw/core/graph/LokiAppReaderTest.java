package io.jigsaw.core.graph;

import io.jigsaw.core.input.InputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Reads the measured traffic-analysis app from Loki's public artifact, as it is. */
class LokiAppReaderTest {

    @TempDir
    Path dir;

    Path copyLokiApp(String... files) throws IOException {
        for (String f : files) {
            try (InputStream in = getClass().getResourceAsStream("/loki/" + f)) {
                Files.copy(in, dir.resolve(f));
            }
        }
        return dir.resolve("traffic_analysis.json");
    }

    Path fullApp() throws IOException {
        return copyLokiApp("traffic_analysis.json", "accuracy_object_detection.csv", "accuracy_car_classification.csv",
                "accuracy_facial_recognition.csv", "branching.csv");
    }

    @Test
    void theTrafficAnalysisTreeBecomesADagWithOneSink() throws IOException {
        Graph g = GraphLoader.load(fullApp());

        assertThat(g.name()).isEqualTo("traffic_analysis");
        assertThat(g.latencySloMs()).isEqualTo(250);
        assertThat(g.tasks()).extracting(Task::name)
                .containsExactly("object_detection", "car_classification", "facial_recognition", "sink");
        assertThat(g.task("sink").orElseThrow().after()).containsExactly("car_classification", "facial_recognition");
        assertThat(g.task("sink").orElseThrow().pseudo()).isTrue();
        assertThat(g.creditInto("sink")).isEqualTo(Credit.ONE);
    }

    @Test
    void accuracyIsNormalisedToTheBestVariant() throws IOException {
        Task detection = GraphLoader.load(fullApp()).task("object_detection").orElseThrow();

        assertThat(detection.mostAccurate().name()).isEqualTo("yolov5x");
        assertThat(detection.variant("yolov5n").orElseThrow().accuracy()).isCloseTo(0.5522682446, within(1e-9));
    }

    @Test
    void fanoutIsObjectsPerFrameTimesTheRoutedShare() throws IOException {
        Variant yolo = GraphLoader.load(fullApp()).task("object_detection").orElseThrow().variant("yolov5n").orElseThrow();

        assertThat(yolo.fanoutTo("car_classification")).isCloseTo(2.5842696629 * 0.7680944305, within(1e-6));
        assertThat(yolo.fanoutTo("facial_recognition")).isCloseTo(2.5842696629 * 0.2319055695, within(1e-6));
    }

    @Test
    void variantsWithoutAnAccuracyRowAreLeftOutVisibly() throws IOException {
        Path app = fullApp();
        Files.writeString(dir.resolve("accuracy_car_classification.csv"), "efficientnet-b0,91.4\nefficientnet-b4,98.3\n");

        Graph g = GraphLoader.load(app);

        assertThat(g.catalog().get("car_classification")).containsExactly("efficientnet-b0", "efficientnet-b4");
        assertThat(g.warnings()).anyMatch(w -> w.contains("efficientnet-b7") && w.contains("left out"));
        assertThat(g.task("car_classification").orElseThrow().mostAccurate().accuracy()).isEqualTo(1.0);
    }

    @Test
    void aDetectorVariantMissingFromBranchingGetsTheLargestFanout() throws IOException {
        Path app = fullApp();
        List<String> lines = Files.readAllLines(dir.resolve("branching.csv"));
        Files.write(dir.resolve("branching.csv"), lines.subList(0, lines.size() - 1)); // drop yolov5x

        Graph g = GraphLoader.load(app);
        Variant x = g.task("object_detection").orElseThrow().variant("yolov5x").orElseThrow();

        assertThat(x.fanoutTo("car_classification")).isCloseTo(18.20702247191010 * 0.9594310837171900, within(1e-6));
        assertThat(g.warnings()).anyMatch(w -> w.contains("yolov5x") && w.contains("branching.csv"));
    }

    @Test
    void withoutBranchingEveryChildGetsOnePieceAndTheUserIsTold() throws IOException {
        Path app = copyLokiApp("traffic_analysis.json", "accuracy_object_detection.csv", "accuracy_car_classification.csv",
                "accuracy_facial_recognition.csv");

        Graph g = GraphLoader.load(app);

        assertThat(g.task("object_detection").orElseThrow().variant("yolov5s").orElseThrow().fanoutTo("car_classification"))
                .isEqualTo(1.0);
        assertThat(g.warnings()).anyMatch(w -> w.contains("no branching.csv"));
    }

    @Test
    void aSourcePseudoRootIsAcceptedWithoutAnAccuracyFile() throws IOException {
        Files.writeString(dir.resolve("app.json"), """
                {"appName": "two", "latencySLOInMSec": 100,
                 "root": {"task": "source", "model_variants": ["source"], "children": [
                    {"task": "classify", "model_variants": ["a", "b"], "children": []}]}}
                """);
        Files.writeString(dir.resolve("accuracy_classify.csv"), "a,50\nb,100\n");

        Graph g = GraphLoader.load(dir.resolve("app.json"));

        assertThat(g.root().name()).isEqualTo("source");
        assertThat(g.root().pseudo()).isTrue();
        assertThat(g.task("classify").orElseThrow().variant("a").orElseThrow().accuracy()).isEqualTo(0.5);
    }

    @Test
    void aMissingAccuracyFileIsNamed() throws IOException {
        Path app = copyLokiApp("traffic_analysis.json", "accuracy_object_detection.csv", "accuracy_car_classification.csv",
                "branching.csv");

        assertThatThrownBy(() -> GraphLoader.load(app)).isInstanceOf(InputException.class)
                .hasMessageContaining("accuracy_facial_recognition.csv").hasMessageContaining("missing");
    }

    @Test
    void aBadNumberInAnAccuracyFileNamesTheLine() throws IOException {
        Path app = fullApp();
        Files.writeString(dir.resolve("accuracy_facial_recognition.csv"), "genderNet_11,94.60\ngenderNet_13,lots\n");

        assertThatThrownBy(() -> GraphLoader.load(app)).isInstanceOf(InputException.class)
                .hasMessageContaining("accuracy_facial_recognition.csv: line 2")
                .hasMessageContaining("expected a number, found 'lots'");
    }
}
