package io.jigsaw.models;

import io.jigsaw.core.graph.AccuracyCsv;
import io.jigsaw.core.graph.Combinations;
import io.jigsaw.core.graph.Dataflow;
import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.Task;
import io.jigsaw.core.graph.TaskInput;
import io.jigsaw.core.graph.Variant;
import io.jigsaw.core.image.Crop;
import io.jigsaw.core.image.CropBoxes;
import io.jigsaw.core.scene.Scene;
import io.jigsaw.core.scene.SceneGenerator;
import io.jigsaw.core.scene.SceneScoring;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.ndarray.Shape;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every combination of the graph's variants measured end to end on the validation scenes, as the job
 * runs them: the detector's boxes taken as the fan-out takes them ({@link CropBoxes}), cut by
 * {@link Crop}, each crop-fed task's answers per object, the join's vector laid out in object order
 * and zero-padded as the job's join lays it out, and the join's answer — scored per scene by
 * {@link SceneScoring}, the live result assembler's scoring. Each model runs once per input it can
 * see (a detector variant's crops are shared by every combination that starts with it), so 81
 * combinations cost 3 detector runs, 18 crop runs and 81 small join runs.
 *
 * <p>The shape it knows: a frame detector, crop-fed tasks under it, and at most one join over them
 * (the demo graph's). Other graphs get no combinations file; the planner then keeps the path product.
 */
final class CombinationScores {

    static final int SCENES = 2_000;
    private static final long VALIDATION_SEED = 44;
    private static final int CHUNK = 256;

    private final Graph graph;
    private final Dataflow flow;
    private final Path modelsDir;
    /** Every model loaded once (a join variant serves 27 combinations of what is above it), closed at the end. */
    private final Map<String, SavedModelBundle> loaded = new HashMap<>();

    private CombinationScores(Graph graph, Dataflow flow, Path modelsDir) {
        this.graph = graph;
        this.flow = flow;
        this.modelsDir = modelsDir;
    }

    /** Why the graph's combinations cannot be measured here, or empty when they can. */
    static Optional<String> unsupported(Graph graph, Path modelsDir) {
        List<Task> detectors = graph.detectors();
        if (detectors.size() != 1 || !(detectors.get(0).input() instanceof TaskInput.Frame) || !graph.tasks().get(0).equals(detectors.get(0))) {
            return Optional.of("the graph's root is not the one detector fed the frame");
        }
        for (Task t : graph.tasks().subList(1, graph.tasks().size())) {
            boolean crop = t.input() instanceof TaskInput.Crops c && c.from().equals(detectors.get(0).name());
            boolean join = t.input() instanceof TaskInput.Join && t.labels().isPresent();
            if (!crop && !join) {
                return Optional.of("task " + t.name() + " is neither a crop of the detector nor a labelled join");
            }
            for (Variant v : t.variants()) {
                if (!Files.isRegularFile(modelsDir.resolve(v.model().orElse(v.name())).resolve("saved_model.pb"))) {
                    return Optional.of("variant " + v.name() + " has no model in " + modelsDir);
                }
            }
        }
        if (graph.tasks().stream().filter(Task::takesCrops).map(t -> (TaskInput.Crops) t.input())
                .map(c -> c.minScore() + "/" + c.max()).distinct().count() > 1) {
            return Optional.of("the crop-fed tasks take the detector's boxes with different min_score or max");
        }
        if (graph.tasks().stream().filter(t -> t.input() instanceof TaskInput.Join).count() > 1) {
            return Optional.of("the graph has more than one join");
        }
        return Optional.empty();
    }

    /** Measures every combination and writes {@code combinations.csv} beside the models; returns what it wrote. */
    static Combinations write(Graph graph, Dataflow flow, Path modelsDir, int scenes) {
        CombinationScores scores = new CombinationScores(graph, flow, modelsDir);
        Combinations c;
        try {
            c = scores.measure(new SceneGenerator(VALIDATION_SEED, SceneGenerator.Split.VALIDATION), scenes);
        } finally {
            scores.loaded.values().forEach(SavedModelBundle::close);
        }
        c.write(modelsDir.resolve(Combinations.FILE));
        return c;
    }

    /**
     * How far the path product of the variants' own accuracies (accuracy.csv, each measured alone) is from
     * each combination measured end to end: the planner's model without combinations, checked.
     *
     * @return one line: the mean and largest |path product − measured| over the combinations, and where the largest is
     */
    static String pathProductError(Graph graph, Combinations measured, List<AccuracyCsv.Row> alone) {
        Map<String, Double> accuracy = new HashMap<>();
        alone.forEach(r -> accuracy.put(r.task() + "/" + r.variant(), r.accuracy()));
        double sum = 0;
        double signed = 0;
        double worst = -1;
        String where = "";
        for (int i = 0; i < measured.size(); i++) {
            List<String> c = measured.combination(i);
            Map<String, Double> scores = new LinkedHashMap<>();
            for (int t = 0; t < c.size(); t++) {
                Double a = accuracy.get(measured.tasks().get(t) + "/" + c.get(t));
                if (a == null) {
                    return "no path product to compare with: " + c.get(t) + " has no row in " + AccuracyCsv.FILE;
                }
                scores.put(measured.tasks().get(t), a);
            }
            double product = SceneScoring.endToEnd(graph, scores);
            double error = product - measured.endToEnd()[i];
            sum += Math.abs(error);
            signed += error;
            if (Math.abs(error) > worst) {
                worst = Math.abs(error);
                where = String.format(java.util.Locale.ROOT, "%s: path product %.4f, measured %.4f", String.join(" + ", c), product,
                        measured.endToEnd()[i]);
            }
        }
        return String.format(java.util.Locale.ROOT, "path product of the variants' own accuracies against the %d combinations measured:"
                + " mean |error| %.4f (mean error %+.4f), largest %.4f (%s)", measured.size(), sum / measured.size(),
                signed / measured.size(), worst, where);
    }

    /** What a crop-fed task answered for each object, per scene, with one variant. */
    private record ObjectAnswers(List<List<SceneScoring.Answer>> perScene, List<List<float[]>> joinSlices) {
    }

    Combinations measure(SceneGenerator generator, int n) {
        List<Scene> scenes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            scenes.add(generator.next());
        }
        List<List<SceneScoring.Truth>> truth = scenes.stream().map(SceneScoring::truthOf).toList();
        List<Task> tasks = graph.tasks();
        Task detector = tasks.get(0);
        List<Task> cropTasks = tasks.stream().filter(Task::takesCrops).toList();
        Task join = tasks.stream().filter(t -> t.input() instanceof TaskInput.Join).findFirst().orElse(null);
        int total = 1;
        for (Task t : tasks) {
            total *= t.variants().size();
        }
        double[] e2e = new double[total];
        double[][] taskScores = new double[total][tasks.size()];
        Combinations shape = new Combinations(tasks.stream().map(Task::name).toList(),
                tasks.stream().map(t -> t.variants().stream().map(Variant::name).toList()).toList(), e2e, taskScores, n);
        TaskInput.Crops spec = (TaskInput.Crops) cropTasks.get(0).input();
        for (Variant d : detector.variants()) {
            List<List<float[]>> boxes = detect(d, scenes, spec);
            // Per crop task, per variant: its answers on this detector's crops.
            Map<String, Map<String, ObjectAnswers>> answers = new LinkedHashMap<>();
            for (Task t : cropTasks) {
                Map<String, ObjectAnswers> byVariant = new LinkedHashMap<>();
                for (Variant v : t.variants()) {
                    byVariant.put(v.name(), crops(t, v, scenes, boxes));
                }
                answers.put(t.name(), byVariant);
            }
            for (List<String> upstream : products(cropTasks)) {
                Map<String, SceneScoring.Answer> none = Map.of();
                List<Map<String, SceneScoring.Answer>> joined = new ArrayList<>();
                if (join == null) {
                    scenes.forEach(s -> joined.add(none));
                    record(shape, d.name(), cropTasks, upstream, null, boxes, answers, joined, truth);
                    continue;
                }
                float[] vectors = joinVectors(join, cropTasks, upstream, answers, scenes.size());
                for (Variant j : join.variants()) {
                    List<Map<String, SceneScoring.Answer>> frame = joinAnswers(join, j, vectors, scenes.size());
                    record(shape, d.name(), cropTasks, upstream, j.name(), boxes, answers, frame, truth);
                }
            }
        }
        return shape;
    }

    /** Scores every scene for one combination and stores the means. */
    private void record(Combinations shape, String detector, List<Task> cropTasks, List<String> upstream, String joinVariant,
            List<List<float[]>> boxes, Map<String, Map<String, ObjectAnswers>> answers, List<Map<String, SceneScoring.Answer>> frame,
            List<List<SceneScoring.Truth>> truth) {
        List<String> combination = new ArrayList<>();
        for (Task t : graph.tasks()) {
            if (t.equals(graph.tasks().get(0))) {
                combination.add(detector);
            } else if (t.takesCrops()) {
                combination.add(upstream.get(cropTasks.indexOf(t)));
            } else {
                combination.add(joinVariant);
            }
        }
        int index = shape.index(combination);
        String detectorTask = graph.tasks().get(0).name();
        double e2e = 0;
        double[] sums = new double[graph.tasks().size()];
        int[] counts = new int[graph.tasks().size()];
        for (int s = 0; s < boxes.size(); s++) {
            List<SceneScoring.Found> found = new ArrayList<>();
            for (int k = 0; k < boxes.get(s).size(); k++) {
                Map<String, SceneScoring.Answer> perTask = new LinkedHashMap<>();
                for (int c = 0; c < cropTasks.size(); c++) {
                    perTask.put(cropTasks.get(c).name(), answers.get(cropTasks.get(c).name()).get(upstream.get(c)).perScene().get(s).get(k));
                }
                found.add(new SceneScoring.Found(boxes.get(s).get(k), perTask));
            }
            Map<String, Double> scores = SceneScoring.score(graph, Map.of(detectorTask, found), frame.get(s), truth.get(s),
                    Map.of(detectorTask, detector), null);
            e2e += SceneScoring.endToEnd(graph, scores);
            for (int t = 0; t < graph.tasks().size(); t++) {
                Double v = scores.get(graph.tasks().get(t).name());
                if (v != null) {
                    sums[t] += v;
                    counts[t]++;
                }
            }
        }
        shape.endToEnd()[index] = e2e / boxes.size();
        for (int t = 0; t < sums.length; t++) {
            shape.taskScores()[index][t] = counts[t] == 0 ? Double.NaN : sums[t] / counts[t];
        }
    }

    /** Every combination of the crop tasks' variants, as lists of names in the tasks' order. */
    private static List<List<String>> products(List<Task> tasks) {
        List<List<String>> out = new ArrayList<>(List.of(List.of()));
        for (Task t : tasks) {
            List<List<String>> next = new ArrayList<>();
            for (List<String> prefix : out) {
                for (Variant v : t.variants()) {
                    List<String> c = new ArrayList<>(prefix);
                    c.add(v.name());
                    next.add(c);
                }
            }
            out = next;
        }
        return out;
    }

    /** Per scene, the boxes the fan-out takes from this detector variant's output (best first). */
    private List<List<float[]>> detect(Variant d, List<Scene> scenes, TaskInput.Crops spec) {
        int size = SceneGenerator.SIZE;
        int max = spec.max();
        List<List<float[]>> out = new ArrayList<>();
        SavedModelBundle model = load(d);
        for (int from = 0; from < scenes.size(); from += CHUNK) {
            List<Scene> chunk = scenes.subList(from, Math.min(scenes.size(), from + CHUNK));
            Map<String, float[]> found = UpstreamJoins.run(model, SceneBatches.stack(chunk), Shape.of(chunk.size(), size, size, 3));
            int cells = found.get(spec.scores()).length / chunk.size();
            for (int i = 0; i < chunk.size(); i++) {
                float[] s = Arrays.copyOfRange(found.get(spec.scores()), i * cells, (i + 1) * cells);
                float[] bx = Arrays.copyOfRange(found.get(spec.boxes()), i * cells * 4, (i + 1) * cells * 4);
                out.add(CropBoxes.select(s, bx, spec.minScore(), max, size, size, reason -> { }).stream()
                        .map(CropBoxes.Taken::box).toList());
            }
        }
        return out;
    }

    /** A crop-fed task's answers for every object found, and its join tensor's values per object. */
    private ObjectAnswers crops(Task t, Variant v, List<Scene> scenes, List<List<float[]>> boxes) {
        TaskInput.Crops c = (TaskInput.Crops) t.input();
        int size = SceneGenerator.SIZE;
        int pixels = c.height() * c.width() * 3;
        List<float[]> all = new ArrayList<>();
        for (int s = 0; s < scenes.size(); s++) {
            for (float[] box : boxes.get(s)) {
                all.add(Crop.resize(scenes.get(s).frame(), size, size, 3, box, c.height(), c.width()));
            }
        }
        Map<String, float[]> outputs = new HashMap<>();
        SavedModelBundle model = load(v);
        for (int from = 0; from < all.size(); from += CHUNK) {
            List<float[]> chunk = all.subList(from, Math.min(all.size(), from + CHUNK));
            float[] in = new float[chunk.size() * pixels];
            for (int k = 0; k < chunk.size(); k++) {
                System.arraycopy(chunk.get(k), 0, in, k * pixels, pixels);
            }
            UpstreamJoins.run(model, in, Shape.of(chunk.size(), c.height(), c.width(), 3))
                    .forEach((name, values) -> outputs.merge(name, values, CombinationScores::concat));
        }
        String tensor = t.labels().map(l -> l.tensor()).orElse("value");
        float[] main = outputs.getOrDefault(tensor, new float[0]);
        int width = all.isEmpty() ? 0 : main.length / all.size();
        List<List<SceneScoring.Answer>> perScene = new ArrayList<>();
        List<List<float[]>> slices = new ArrayList<>();
        String joinTensor = joinTensor(t);
        float[] forJoin = joinTensor == null ? null : outputs.get(joinTensor);
        int joinWidth = forJoin == null || all.isEmpty() ? 0 : forJoin.length / all.size();
        int k = 0;
        for (int s = 0; s < scenes.size(); s++) {
            List<SceneScoring.Answer> mine = new ArrayList<>();
            List<float[]> slice = new ArrayList<>();
            for (int o = 0; o < boxes.get(s).size(); o++, k++) {
                float[] row = Arrays.copyOfRange(main, k * width, (k + 1) * width);
                mine.add(t.labels().isPresent()
                        ? new SceneScoring.Answer(v.name(), SceneScoring.topLabel(t.labels().get().names(), row), null)
                        : new SceneScoring.Answer(v.name(), null, row.length == 0 ? null : row[0]));
                slice.add(forJoin == null ? null : Arrays.copyOfRange(forJoin, k * joinWidth, (k + 1) * joinWidth));
            }
            perScene.add(mine);
            slices.add(slice);
        }
        return new ObjectAnswers(perScene, slices);
    }

    /** The tensor of task t a join takes, if any. */
    private String joinTensor(Task t) {
        for (Task j : graph.tasks()) {
            for (Dataflow.JoinBranch b : flow.join(j.name())) {
                if (b.from().equals(t.name())) {
                    return b.tensor();
                }
            }
        }
        return null;
    }

    /** The join's input for every scene: per branch, object k's values at the branch's offset + k × its width, zeros after. */
    private float[] joinVectors(Task join, List<Task> cropTasks, List<String> upstream, Map<String, Map<String, ObjectAnswers>> answers,
            int scenes) {
        List<Dataflow.JoinBranch> layout = flow.join(join.name());
        int width = layout.stream().mapToInt(l -> l.maxPieces() * l.elements()).sum();
        float[] x = new float[scenes * width];
        int offset = 0;
        for (Dataflow.JoinBranch b : layout) {
            ObjectAnswers a = answers.get(b.from()).get(upstream.get(cropTasks.indexOf(graph.task(b.from()).orElseThrow())));
            for (int s = 0; s < scenes; s++) {
                List<float[]> slices = a.joinSlices().get(s);
                for (int k = 0; k < Math.min(slices.size(), b.maxPieces()); k++) {
                    System.arraycopy(slices.get(k), 0, x, s * width + offset + k * b.elements(), b.elements());
                }
            }
            offset += b.maxPieces() * b.elements();
        }
        return x;
    }

    /** Per scene, the join variant's answer (its top label). */
    private List<Map<String, SceneScoring.Answer>> joinAnswers(Task join, Variant j, float[] vectors, int scenes) {
        int width = vectors.length / scenes;
        String tensor = join.labels().get().tensor();
        List<Map<String, SceneScoring.Answer>> out = new ArrayList<>();
        SavedModelBundle model = load(j);
        float[] p = UpstreamJoins.run(model, vectors, Shape.of(scenes, width)).get(tensor);
        int classes = p.length / scenes;
        for (int s = 0; s < scenes; s++) {
            String label = SceneScoring.topLabel(join.labels().get().names(), Arrays.copyOfRange(p, s * classes, (s + 1) * classes));
            out.add(Map.of(join.name(), new SceneScoring.Answer(j.name(), label, null)));
        }
        return out;
    }

    private static float[] concat(float[] a, float[] b) {
        float[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private SavedModelBundle load(Variant v) {
        return loaded.computeIfAbsent(v.name(), n -> SavedModelBundle.load(modelsDir.resolve(v.model().orElse(v.name())).toString(), "serve"));
    }
}
