package io.jigsaw.operators;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.schemas.DetectedObject;
import io.jigsaw.schemas.TaskOutput;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** An answer scored against its truth, task by task, and the measured path accuracy, worked by hand on the demo graph. */
class ScorerTest {

    static final Graph GRAPH = DemoGraph.load();
    static final Scorer SCORER = new Scorer(GRAPH);

    static DetectedObject object(String id, List<Float> box, int label, float depth) {
        List<Float> probs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            probs.add(i == label ? 0.9f : 0.01f);
        }
        return DetectedObject.newBuilder().setId(id).setBox(box).setScore(0.9f).setOutputs(List.of(
                TaskOutput.newBuilder().setTask("classify").setVariant("classify-l").setTensors(Map.of("probabilities", probs)).build(),
                TaskOutput.newBuilder().setTask("depth").setVariant("depth-l").setTensors(Map.of("value", List.of(depth))).build()))
                .build();
    }

    static TaskOutput scene(int label) {
        List<Float> p = new ArrayList<>();
        for (int i = 0; i < 11; i++) {
            p.add(i == label ? 0.8f : 0.02f);
        }
        return TaskOutput.newBuilder().setTask("fuse").setVariant("fuse-l").setTensors(Map.of("probabilities", p)).build();
    }

    @Test
    void eachTaskIsScoredWithItsOwnMetric() {
        List<GroundTruth> truth = List.of(
                new GroundTruth("cup", new float[] {0, 0, 0.25f, 0.25f}, 2.0f),     // cup = label 3
                new GroundTruth("door", new float[] {0.5f, 0.5f, 0.75f, 0.75f}, 1.2f)); // door = 7, the nearest
        // detect:0 finds the cup (right label, depth 0.3 m off: within), detect:1 finds nothing there is.
        List<DetectedObject> objects = List.of(object("detect:0", List.of(0f, 0f, 0.25f, 0.25f), 3, 2.3f),
                object("detect:1", List.of(0.9f, 0.9f, 1f, 1f), 5, 1f));

        Map<String, Double> scores = SCORER.score(objects, List.of(scene(7)), truth);

        // tp 1, 2 predicted, 2 true: F1 = 2 / 4.
        assertThat(scores).containsEntry("detect", 0.5).containsEntry("classify", 1.0).containsEntry("depth", 1.0)
                .containsEntry("fuse", 1.0);
    }

    @Test
    void underACascadeATasksObjectsAreScoredUnderTheVariantThatAnsweredEach() {
        List<GroundTruth> truth = List.of(
                new GroundTruth("cup", new float[] {0, 0, 0.25f, 0.25f}, 2.0f),
                new GroundTruth("door", new float[] {0.5f, 0.5f, 0.75f, 0.75f}, 1.2f));
        DetectedObject kept = object("detect:0", List.of(0f, 0f, 0.25f, 0.25f), 4, 2.1f);        // classify wrong (laptop)
        DetectedObject escalated = object("detect:1", List.of(0.5f, 0.5f, 0.75f, 0.75f), 7, 1.2f); // classify right (door)
        List<TaskOutput> outs = new ArrayList<>(kept.getOutputs());
        outs.set(0, TaskOutput.newBuilder(outs.get(0)).setVariant("classify-s").build());
        kept.setOutputs(outs);

        Map<List<String>, double[]> byVariant = new java.util.LinkedHashMap<>();
        SCORER.score(List.of(kept, escalated), List.of(scene(7)), truth, Map.of("detect", "detect-m"), byVariant);

        assertThat(byVariant.get(List.of("classify", "classify-s"))).containsExactly(1, 0);
        assertThat(byVariant.get(List.of("classify", "classify-l"))).containsExactly(1, 1);
        assertThat(byVariant.get(List.of("depth", "depth-l"))).containsExactly(2, 2);
        assertThat(byVariant.get(List.of("detect", "detect-m"))).containsExactly(1, 1);
        assertThat(byVariant.get(List.of("fuse", "fuse-l"))).containsExactly(1, 1);
    }

    @Test
    void aSceneWithNothingInItAnsweredNoneScoresFull() {
        Map<String, Double> scores = SCORER.score(List.of(), List.of(scene(10)), List.of());

        assertThat(scores).containsEntry("detect", 1.0).containsEntry("fuse", 1.0).doesNotContainKeys("classify", "depth");
    }

    @Test
    void measuredAccuracyIsThePathProductOfTheScoresInTheirOwnUnits() {
        Map<String, Double> scores = Map.of("detect", 0.5, "classify", 1.0, "depth", 0.5, "fuse", 1.0);

        // Two paths with half the request each: detect-classify-fuse and detect-depth-fuse; no task's offline accuracy enters.
        double expected = 0.5 * 0.5 * 1.0 * 1.0 + 0.5 * 0.5 * 0.5 * 1.0;
        assertThat(SCORER.accuracy(scores)).isCloseTo(expected, within(1e-12));
    }

    @Test
    void aTaskWithNothingToScoreOnCountsAsOne() {
        // No object matched: classify and depth have no score, the path is the detector's F1 and the scene's answer.
        assertThat(SCORER.accuracy(Map.of("detect", 0.0, "fuse", 1.0))).isZero();
        assertThat(SCORER.accuracy(Map.of("detect", 1.0, "fuse", 1.0))).isEqualTo(1.0);
    }

    @Test
    void truthWithAnUnknownLabelOrABadBoxIsRejectedWithTheReason() {
        assertThat(SCORER.problem(List.of(new GroundTruth("dog", new float[] {0, 0, 0.1f, 0.1f}, 1))))
                .contains("unknown label 'dog'").contains("person");
        assertThat(SCORER.problem(List.of(new GroundTruth("cup", new float[] {0.5f, 0, 0.1f, 0.1f}, 1))))
                .contains("x1 < x2");
        assertThat(SCORER.problem(List.of(new GroundTruth("cup", new float[] {0, 0, 0.1f, 0.1f}, 1)))).isNull();
    }

}
