package io.jigsaw.operators;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.Labels;
import io.jigsaw.core.graph.Task;
import io.jigsaw.schemas.DetectedObject;
import io.jigsaw.schemas.LabelScore;
import io.jigsaw.schemas.TaskOutput;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A request's answer from what its output tasks reported: per object (in object order) its box and
 * what each output task gave for it, and what ran on the whole frame; where the graph names a
 * tensor's entries, its best labels with their scores.
 */
record Answers(List<DetectedObject> objects, List<TaskOutput> frame) {

    static Answers of(Graph graph, TaskReport[] reports) {
        Map<String, DetectedObject> objects = new TreeMap<>(ObjectIds.ORDER);
        List<TaskOutput> frame = new ArrayList<>();
        if (reports != null) {
            for (TaskReport r : reports) {
                TaskOutput output = output(graph, r);
                if (r.objectId == null || r.objectId.isEmpty()) {
                    frame.add(output);
                    continue;
                }
                objects.computeIfAbsent(r.objectId, id -> DetectedObject.newBuilder().setId(id).setBox(floats(r.box))
                        .setScore(r.boxScore).setOutputs(new ArrayList<>()).build()).getOutputs().add(output);
            }
        }
        List<String> order = graph.tasks().stream().map(Task::name).toList();
        Comparator<TaskOutput> byTask = Comparator.comparingInt(o -> order.indexOf(o.getTask()));
        objects.values().forEach(o -> o.getOutputs().sort(byTask));
        frame.sort(byTask);
        return new Answers(new ArrayList<>(objects.values()), frame);
    }

    private static TaskOutput output(Graph graph, TaskReport r) {
        Map<String, List<Float>> tensors = new LinkedHashMap<>();
        for (int i = 0; i < r.names.length; i++) {
            tensors.put(r.names[i], floats(r.values[i]));
        }
        List<LabelScore> labels = new ArrayList<>();
        graph.task(r.task).flatMap(Task::labels).ifPresent(l -> labels.addAll(best(l, tensors.get(l.tensor()))));
        return TaskOutput.newBuilder().setTask(r.task).setVariant(r.variant).setTensors(tensors).setLabels(labels).build();
    }

    /** The {@code top} highest entries, highest first (ties: the earlier label). */
    static List<LabelScore> best(Labels labels, List<Float> values) {
        if (values == null) {
            return List.of();
        }
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < Math.min(values.size(), labels.names().size()); i++) {
            idx.add(i);
        }
        idx.sort(Comparator.<Integer>comparingDouble(i -> -values.get(i)).thenComparingInt(i -> i));
        return idx.stream().limit(labels.top()).map(i -> new LabelScore(labels.names().get(i), values.get(i))).toList();
    }

    private static List<Float> floats(float[] v) {
        List<Float> out = new ArrayList<>(v == null ? 0 : v.length);
        if (v != null) {
            for (float f : v) {
                out.add(f);
            }
        }
        return out;
    }
}
