package io.jigsaw.core.scene;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.Task;
import io.jigsaw.core.graph.TaskInput;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One request's answers scored against its truth, task by task, with the metrics `models` measures
 * variants with — the one scoring both the live result assembler and the offline measurement of
 * variant combinations use, so a combination's measured accuracy and the live figure are the same
 * function of the same answers. A task's role comes from the graph's shape:
 * <ul>
 * <li>a detector (a task whose boxes a child crops): F1 of its objects' boxes at IoU 0.5;</li>
 * <li>a crop-fed task with labels (a classifier): top-1 over the objects that matched a true one;</li>
 * <li>a crop-fed task without labels giving a value (a depth): share of matched objects within 0.5 m;</li>
 * <li>a join with labels (the scene): top-1 against the nearest true object's label, or {@code none}.</li>
 * </ul>
 * Other tasks are not scored. A task that had nothing to be scored on in a request (no object
 * matched) is left out of that request's scores.
 */
public final class SceneScoring {

    /** The answer a scene's join gives when it sees no object. */
    public static final String NONE = "none";

    /** One object the request's truth holds. @param box [x1, y1, x2, y2] normalised */
    public record Truth(String label, float[] box, float distance) {
    }

    /** What one task answered for an object or a frame: its label (labelled tasks), else its value; and the variant that ran. */
    public record Answer(String variant, String label, Float value) {
    }

    /** An object a detector found: its box, and per crop-fed task what it answered for the object. */
    public record Found(float[] box, Map<String, Answer> answers) {
    }

    private SceneScoring() {
    }

    /**
     * @param found per detector, its objects in its order (best score first)
     * @param frame per frame-level task (a join), its answer
     * @param frameVariants task → the variant the request's frame-level piece ran (a detector's, for byVariant)
     * @param byVariant (task, variant) → {pieces scored, score sum}, added to; null: not wanted
     * @return task → its score on this request, for the tasks that could be scored
     */
    public static Map<String, Double> score(Graph graph, Map<String, List<Found>> found, Map<String, Answer> frame,
            List<Truth> truth, Map<String, String> frameVariants, Map<List<String>, double[]> byVariant) {
        Map<String, Double> scores = new LinkedHashMap<>();
        List<float[]> trueBoxes = truth.stream().map(Truth::box).toList();
        for (Task detector : graph.detectors()) {
            List<Found> mine = found.getOrDefault(detector.name(), List.of());
            Scoring.Matching m = Scoring.match(mine.stream().map(Found::box).toList(), trueBoxes);
            scores.put(detector.name(), m.f1());
            add(byVariant, detector.name(), frameVariants.getOrDefault(detector.name(), ""), m.f1());
            for (Task kid : graph.children(detector.name())) {
                if (!kid.takesCrops()) {
                    continue;
                }
                int scored = 0;
                int right = 0;
                for (int p = 0; p < mine.size(); p++) {
                    int t = m.truthOf()[p];
                    Answer a = mine.get(p).answers().get(kid.name());
                    if (t < 0 || a == null) {
                        continue;
                    }
                    int hit;
                    if (kid.labels().isPresent() && a.label() != null) {
                        hit = a.label().equals(truth.get(t).label()) ? 1 : 0;
                    } else if (kid.labels().isEmpty() && a.value() != null) {
                        hit = Scoring.within(a.value(), truth.get(t).distance()) ? 1 : 0;
                    } else {
                        continue;
                    }
                    scored++;
                    right += hit;
                    add(byVariant, kid.name(), a.variant(), hit);
                }
                if (scored > 0) {
                    scores.put(kid.name(), right / (double) scored);
                }
            }
        }
        for (Task t : graph.tasks()) {
            Answer a = frame.get(t.name());
            if (t.input() instanceof TaskInput.Join && t.labels().isPresent() && a != null && a.label() != null) {
                double hit = a.label().equals(nearest(truth)) ? 1.0 : 0.0;
                scores.put(t.name(), hit);
                add(byVariant, t.name(), a.variant(), hit);
            }
        }
        return scores;
    }

    /**
     * A request's end-to-end accuracy in its metrics' own units: per root-to-leaf path the product of
     * its tasks' scores (a task without a score on this request counts as 1), averaged over paths
     * weighted by the share of the request that takes each (split evenly at every branching).
     */
    public static double endToEnd(Graph graph, Map<String, Double> scores) {
        double sum = 0;
        double weights = 0;
        for (List<String> path : graph.paths()) {
            double product = 1;
            double weight = 1;
            for (int i = 0; i < path.size(); i++) {
                Double s = scores.get(path.get(i));
                if (s != null) {
                    product *= s;
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

    /** Per scored task, what its score is, in words (the units a result's task_scores are in). */
    public static Map<String, String> metrics(Graph graph) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Task d : graph.detectors()) {
            out.put(d.name(), "F1 of its boxes at IoU 0.5");
            for (Task kid : graph.children(d.name())) {
                if (kid.takesCrops()) {
                    out.put(kid.name(), kid.labels().isPresent() ? "top-1 label right, of the objects found"
                            : "within 0.5 m, of the objects found");
                }
            }
        }
        for (Task t : graph.tasks()) {
            if (t.input() instanceof TaskInput.Join && t.labels().isPresent()) {
                out.put(t.name(), "scene's answer right (the nearest object's label, or none)");
            }
        }
        return out;
    }

    /** How a request's end-to-end accuracy is made of its tasks' scores, e.g. "mean over paths of detect x classify x fuse, ...". */
    public static String endToEndText(Graph graph) {
        List<String> paths = graph.paths().stream().map(p -> String.join(" x ", p)).toList();
        return "per root-to-leaf path the product of its tasks' scores, mean over paths (" + String.join("; ", paths) + ")";
    }

    /**
     * A labelled task's answer: the name of its highest score ("" for no scores, or a best index past the
     * names) — read the same way from the job's tensors and from `models`' offline runs.
     */
    public static String topLabel(List<String> names, float[] scores) {
        if (scores.length == 0) {
            return "";
        }
        int best = Scoring.argmax(scores);
        return best < names.size() ? names.get(best) : "";
    }

    /** The scene's answer its truth gives: the nearest object's label, or {@link #NONE}. */
    public static String nearest(List<Truth> truth) {
        Truth best = null;
        for (Truth t : truth) {
            if (best == null || t.distance() < best.distance()) {
                best = t;
            }
        }
        return best == null ? NONE : best.label();
    }

    /** A scene's objects as truth, labels by name. */
    public static List<Truth> truthOf(Scene scene) {
        return scene.objects().stream().map(o -> new Truth(SceneGenerator.LABELS.get(o.label()), o.box(), o.distance())).toList();
    }

    private static void add(Map<List<String>, double[]> byVariant, String task, String variant, double score) {
        if (byVariant != null) {
            double[] s = byVariant.computeIfAbsent(List.of(task, variant), k -> new double[2]);
            s[0]++;
            s[1] += score;
        }
    }
}
