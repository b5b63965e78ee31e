package io.jigsaw.operators;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.Task;
import io.jigsaw.core.scene.SceneScoring;
import io.jigsaw.schemas.DetectedObject;
import io.jigsaw.schemas.TaskOutput;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Scores an answered request against its truth: the job's Avro answers read as {@link SceneScoring}
 * reads them, so the live figure and the offline measurement of variant combinations (`models`) are
 * one function of the same answers. Also checks a request's truth before it is carried along.
 */
public final class Scorer implements Serializable {

    private final Graph graph;
    private final List<Task> detectors;

    public Scorer(Graph graph) {
        this.graph = graph;
        this.detectors = List.copyOf(graph.detectors());
    }

    /** The labels truth may use: the crop-fed classifier's, if the graph has one. */
    public Optional<List<String>> vocabulary() {
        return graph.tasks().stream().filter(t -> t.takesCrops() && t.labels().isPresent()).findFirst()
                .map(t -> t.labels().get().names());
    }

    /** A problem with a request's truth, or null when it can be scored against. */
    public String problem(List<GroundTruth> truth) {
        List<String> labels = vocabulary().orElse(null);
        if (labels == null) {
            return "graph " + graph.name() + " has no classifier labels to score truth against";
        }
        for (int i = 0; i < truth.size(); i++) {
            GroundTruth t = truth.get(i);
            if (!labels.contains(t.label)) {
                return "truth object " + i + ": unknown label '" + t.label + "' (labels: " + labels + ")";
            }
            float[] b = t.box;
            if (b == null || b.length != 4 || !(b[0] >= 0 && b[1] >= 0 && b[2] <= 1 && b[3] <= 1 && b[0] < b[2] && b[1] < b[3])) {
                return "truth object " + i + ": box must be [x1, y1, x2, y2] within 0..1 with x1 < x2 and y1 < y2, found "
                        + java.util.Arrays.toString(b);
            }
            if (!(t.distance > 0 && Float.isFinite(t.distance))) {
                return "truth object " + i + ": distance must be a finite number > 0 m, found " + t.distance;
            }
        }
        return null;
    }

    /** Task → its raw score on this request, for the tasks that could be scored. */
    public Map<String, Double> score(List<DetectedObject> objects, List<TaskOutput> frame, List<GroundTruth> truth) {
        return score(objects, frame, truth, Map.of(), null);
    }

    /**
     * Both at once, in one pass: task → its score on this request (returned), and (task, variant) →
     * {pieces scored, score sum} added into {@code byVariant} (null: not wanted). A task whose pieces ran
     * on several variants (a ladder's rungs, a cascade's escalations) is scored per variant, object by
     * object; a frame-level task (a detector) under the variant that served the frame.
     *
     * @param variants task → the variant the request's frame-level piece ran
     */
    public Map<String, Double> score(List<DetectedObject> objects, List<TaskOutput> frame, List<GroundTruth> truth,
            Map<String, String> variants, Map<List<String>, double[]> byVariant) {
        Map<String, List<SceneScoring.Found>> found = new LinkedHashMap<>();
        for (Task detector : detectors) {
            List<SceneScoring.Found> mine = new ArrayList<>();
            for (DetectedObject o : objects) {
                if (!o.getId().startsWith(detector.name() + ":")) {
                    continue;
                }
                Map<String, SceneScoring.Answer> answers = new LinkedHashMap<>();
                for (TaskOutput out : o.getOutputs()) {
                    graph.task(out.getTask()).ifPresent(t -> answers.putIfAbsent(t.name(), answer(t, out)));
                }
                mine.add(new SceneScoring.Found(floats(o.getBox()), answers));
            }
            found.put(detector.name(), mine);
        }
        Map<String, SceneScoring.Answer> joins = new LinkedHashMap<>();
        for (TaskOutput out : frame) {
            graph.task(out.getTask()).ifPresent(t -> joins.putIfAbsent(t.name(), answer(t, out)));
        }
        List<SceneScoring.Truth> truths = truth.stream().map(t -> new SceneScoring.Truth(t.label, t.box, t.distance)).toList();
        return SceneScoring.score(graph, found, joins, truths, variants, byVariant);
    }

    /**
     * A request's end-to-end accuracy in its metrics' own units (absolute: what `models` measures a
     * combination of variants with, {@link SceneScoring#endToEnd}).
     */
    public double accuracy(Map<String, Double> scores) {
        return SceneScoring.endToEnd(graph, scores);
    }

    /** A task's answer as scoring reads it: its top label ("" when the labelled tensor is missing), else its value. */
    private static SceneScoring.Answer answer(Task t, TaskOutput out) {
        if (t.labels().isPresent()) {
            return new SceneScoring.Answer(out.getVariant(), label(t, out), null);
        }
        List<Float> v = out.getTensors().get("value");
        return new SceneScoring.Answer(out.getVariant(), null, v == null || v.isEmpty() ? null : v.get(0));
    }

    private static String label(Task t, TaskOutput out) {
        List<Float> p = out.getTensors().get(t.labels().get().tensor());
        return SceneScoring.topLabel(t.labels().get().names(), p == null ? new float[0] : floats(p));
    }

    private static float[] floats(List<Float> v) {
        float[] out = new float[v.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = v.get(i);
        }
        return out;
    }
}
