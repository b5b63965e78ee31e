package io.jigsaw.operators;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.Task;
import io.jigsaw.core.graph.TaskInput;
import io.jigsaw.core.scene.Scoring;
import io.jigsaw.schemas.DetectedObject;
import io.jigsaw.schemas.TaskOutput;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Scores an answered request against its truth with the metrics `models` measures variants with
 * offline, task by task — so measured and planned accuracy mean the same thing. A task's role comes
 * from the graph's shape:
 * <ul>
 * <li>a detector (a task whose boxes a child crops): F1 of its objects' boxes at IoU 0.5;</li>
 * <li>a crop-fed task with labels (a classifier): top-1 over the objects that matched a true one;</li>
 * <li>a crop-fed task without labels giving {@code value} (a depth): share of matched objects within 0.5 m;</li>
 * <li>a join with labels (the scene): top-1 against the nearest true object's label, or {@code none}.</li>
 * </ul>
 * Other tasks are not scored. A task that had nothing to be scored on in a request (no object
 * matched) is left out of that request's scores.
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
        Map<String, Double> scores = new LinkedHashMap<>();
        List<float[]> trueBoxes = truth.stream().map(t -> t.box).toList();
        for (Task detector : detectors) {
            List<DetectedObject> mine = objects.stream().filter(o -> o.getId().startsWith(detector.name() + ":")).toList();
            List<float[]> boxes = mine.stream().map(o -> floats(o.getBox())).toList();
            Scoring.Matching m = Scoring.match(boxes, trueBoxes);
            scores.put(detector.name(), m.f1());
            add(byVariant, detector.name(), variants.getOrDefault(detector.name(), ""), m.f1());
            for (Task kid : graph.children(detector.name())) {
                if (!kid.takesCrops()) {
                    continue;
                }
                int scored = 0;
                int right = 0;
                for (int p = 0; p < mine.size(); p++) {
                    int t = m.truthOf()[p];
                    Optional<TaskOutput> out = output(mine.get(p).getOutputs(), kid.name());
                    if (t < 0 || out.isEmpty()) {
                        continue;
                    }
                    int hit;
                    if (kid.labels().isPresent()) {
                        hit = label(kid, out.get()).equals(truth.get(t).label) ? 1 : 0;
                    } else if (out.get().getTensors().containsKey("value")) {
                        hit = Scoring.within(out.get().getTensors().get("value").get(0), truth.get(t).distance) ? 1 : 0;
                    } else {
                        continue;
                    }
                    scored++;
                    right += hit;
                    add(byVariant, kid.name(), out.get().getVariant(), hit);
                }
                if (scored > 0) {
                    scores.put(kid.name(), right / (double) scored);
                }
            }
        }
        for (Task t : graph.tasks()) {
            if (t.input() instanceof TaskInput.Join && t.labels().isPresent()) {
                output(frame, t.name()).ifPresent(out -> {
                    double hit = label(t, out).equals(nearest(truth)) ? 1.0 : 0.0;
                    scores.put(t.name(), hit);
                    add(byVariant, t.name(), out.getVariant(), hit);
                });
            }
        }
        return scores;
    }

    private static void add(Map<List<String>, double[]> byVariant, String task, String variant, double score) {
        if (byVariant != null) {
            double[] s = byVariant.computeIfAbsent(List.of(task, variant), k -> new double[2]);
            s[0]++;
            s[1] += score;
        }
    }

    /**
     * The measured counterpart of the planned path accuracy: per root-to-leaf path the product of its
     * tasks' scores, each over the best variant's offline accuracy (as planned accuracies are
     * normalised), averaged over paths weighted by the share of the request that takes each; a task
     * without a score on this request counts as 1.
     */
    public double accuracy(Map<String, Double> scores) {
        double sum = 0;
        double weights = 0;
        for (List<String> path : graph.paths()) {
            double product = 1;
            double weight = 1;
            for (int i = 0; i < path.size(); i++) {
                Task t = graph.task(path.get(i)).orElseThrow();
                Double s = scores.get(t.name());
                if (s != null) {
                    product *= s / t.bestAccuracy();
                }
                if (i > 0) {
                    weight /= graph.children(path.get(i - 1)).size();
                }
            }
            sum += weight * product;
            weights += weight;
        }
        return weights == 0 ? 0 : sum / weights;
    }

    private static Optional<TaskOutput> output(List<TaskOutput> outputs, String task) {
        return outputs.stream().filter(o -> o.getTask().equals(task)).findFirst();
    }

    private static String label(Task t, TaskOutput out) {
        List<Float> p = out.getTensors().get(t.labels().get().tensor());
        if (p == null || p.isEmpty()) {
            return "";
        }
        int best = Scoring.argmax(floats(p));
        List<String> names = t.labels().get().names();
        return best < names.size() ? names.get(best) : "";
    }

    private static String nearest(List<GroundTruth> truth) {
        GroundTruth best = null;
        for (GroundTruth t : truth) {
            if (best == null || t.distance < best.distance) {
                best = t;
            }
        }
        return best == null ? "none" : best.label;
    }

    private static float[] floats(List<Float> v) {
        float[] out = new float[v.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = v.get(i);
        }
        return out;
    }
}
