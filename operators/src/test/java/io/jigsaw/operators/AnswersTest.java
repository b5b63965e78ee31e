package io.jigsaw.operators;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.schemas.Result;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The answer a result carries: objects in object order with each output task's tensors and best labels. */
class AnswersTest {

    static final Graph GRAPH = DemoGraph.load();

    static TaskReport report(String task, String objectId, float[] box, Map<String, float[]> outputs) {
        Piece p = DemoGraph.piece("r", 1000);
        p.objectId = objectId;
        p.box = box;
        p.boxScore = 0.75f;
        return TaskReport.of(task, task + "-s", p, outputs);
    }

    @Test
    void objectsListTheirBoxAndWhatEachOutputTaskSaidWithTheBestLabels() {
        float[] probs = new float[10];
        probs[3] = 0.6f; // cup
        probs[0] = 0.3f; // person
        probs[9] = 0.1f; // screen
        TaskReport[] reports = {
            report("depth", "detect:1", new float[] {0.5f, 0.5f, 1, 1}, Map.of("value", new float[] {2.5f})),
            report("fuse", "", null, Map.of("probabilities", new float[] {1, 0})),
            report("classify", "detect:1", new float[] {0.5f, 0.5f, 1, 1}, Map.of("probabilities", probs)),
            report("classify", "detect:0", new float[] {0, 0, 0.5f, 0.5f}, Map.of("probabilities", probs)),
        };

        Result r = ResultAssembler.result(GRAPH, new Scorer(GRAPH), resultPiece(reports), 100);

        assertThat(r.getObjects()).extracting(o -> o.getId()).containsExactly("detect:0", "detect:1");
        assertThat(r.getObjects().get(1).getBox()).containsExactly(0.5f, 0.5f, 1f, 1f);
        assertThat(r.getObjects().get(1).getOutputs()).extracting(o -> o.getTask()).as("in graph order").containsExactly("classify", "depth");
        assertThat(r.getObjects().get(0).getOutputs().get(0).getLabels()).extracting(l -> l.getLabel() + " " + l.getScore())
                .containsExactly("cup 0.6", "person 0.3", "screen 0.1");
        assertThat(r.getObjects().get(1).getOutputs().get(1).getTensors()).containsEntry("value", List.of(2.5f));
        assertThat(r.getOutputs()).singleElement().satisfies(o -> assertThat(o.getTask()).isEqualTo("fuse"));
    }

    private static Piece resultPiece(TaskReport[] reports) {
        Piece p = DemoGraph.piece("r", 1000);
        p.reports = reports;
        return p;
    }
}
