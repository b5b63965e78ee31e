package io.jigsaw.job.demo;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.Task;
import io.jigsaw.core.graph.Variant;
import io.jigsaw.job.client.ResultFormat;
import io.jigsaw.schemas.DetectedObject;
import io.jigsaw.schemas.Result;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the demo's detectors found, from the answered results: objects in all, and per detector
 * variant the objects per frame it really found beside the fan-out the graph declares for it (the
 * planner's prior), and one result with objects to show.
 */
final class ObjectStats {

    private final Graph graph;
    /** The tasks whose boxes some child crops. */
    private final List<String> detectors;
    private final Map<String, long[]> perVariant = new TreeMap<>();
    /** task → variant → pieces it answered (objects for a crop-fed task, frames otherwise): a ladder's and a cascade's mix. */
    private final Map<String, Map<String, Long>> served = new TreeMap<>();
    /** task → variant → dropped requests that had run the task on it before they were dropped. */
    private final Map<String, Map<String, Long>> droppedAfter = new TreeMap<>();
    private long objects;
    private Result sample;
    /** The framework's time per operator hop (transfer_ms / hops) along each answered request's slowest branch. */
    private final io.jigsaw.core.stats.DoubleSeries perHopMs = new io.jigsaw.core.stats.DoubleSeries();
    /** Along each answered request's slowest branch: time in batches, waiting for them, moving between operators. */
    private final io.jigsaw.core.stats.DoubleSeries modelMs = new io.jigsaw.core.stats.DoubleSeries();
    private final io.jigsaw.core.stats.DoubleSeries queueMs = new io.jigsaw.core.stats.DoubleSeries();
    private final io.jigsaw.core.stats.DoubleSeries transferMs = new io.jigsaw.core.stats.DoubleSeries();

    ObjectStats(Graph graph) {
        this.graph = graph;
        this.detectors = graph.detectors().stream().map(Task::name).toList();
    }

    void add(Result r) {
        if (r.getDropped()) {
            // Where a dropped request had got to, and on what: a ladder's lower rung that saved a piece at one task only
            // for it to be dropped at the next shows here, not among the answers.
            r.getVariants().forEach((task, variant) -> droppedAfter.computeIfAbsent(task, t -> new TreeMap<>()).merge(variant, 1L, Long::sum));
            return;
        }
        for (String d : detectors) {
            String variant = r.getVariants().get(d);
            if (variant == null) {
                continue;
            }
            long found = r.getObjects().stream().map(DetectedObject::getId).filter(id -> id.startsWith(d + ":")).count();
            long[] c = perVariant.computeIfAbsent(d + "/" + variant, k -> new long[2]);
            c[0]++;
            c[1] += found;
        }
        objects += r.getObjects().size();
        detectors.forEach(d -> count(d, r.getVariants().get(d)));
        r.getObjects().forEach(o -> o.getOutputs().forEach(out -> count(out.getTask(), out.getVariant())));
        r.getOutputs().forEach(out -> count(out.getTask(), out.getVariant()));
        if (r.getHops() > 0) {
            perHopMs.add(r.getTransferMs() / r.getHops());
        }
        modelMs.add(r.getModelMs());
        queueMs.add(r.getQueueMs());
        transferMs.add(r.getTransferMs());
        if (sample == null || sample.getObjects().isEmpty() && !r.getObjects().isEmpty()) {
            sample = r;
        }
    }

    private void count(String task, String variant) {
        if (variant != null && !variant.isEmpty()) {
            served.computeIfAbsent(task, t -> new TreeMap<>()).merge(variant, 1L, Long::sum);
        }
    }

    /** task → variant → pieces answered by it. */
    Map<String, Map<String, Long>> servedByVariant() {
        return served;
    }

    /** task → variant → dropped requests that had run the task on that variant. */
    Map<String, Map<String, Long>> droppedAfterVariant() {
        return droppedAfter;
    }

    long objectsFound() {
        return objects;
    }

    /** detector variant → frames answered, objects per frame observed, the declared fan-out to each crop child. */
    Map<String, Object> fanout() {
        Map<String, Object> out = new LinkedHashMap<>();
        perVariant.forEach((key, c) -> {
            String task = key.substring(0, key.indexOf('/'));
            String variant = key.substring(key.indexOf('/') + 1);
            Variant v = graph.task(task).flatMap(t -> t.variant(variant)).orElseThrow();
            Map<String, Object> declared = new LinkedHashMap<>();
            graph.children(task).stream().filter(Task::takesCrops).forEach(kid -> declared.put(kid.name(), v.fanoutTo(kid.name())));
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("frames", c[0]);
            m.put("observed_objects_per_frame", c[0] == 0 ? 0 : Math.round(1000.0 * c[1] / c[0]) / 1000.0);
            m.put("declared", declared);
            out.put(variant, m);
        });
        return out;
    }

    /** p50 and p99 of the framework's time per hop, ms. */
    double[] perHop() {
        double[] v = perHopMs.toArray();
        return new double[] {io.jigsaw.core.stats.Percentiles.of(v, v.length, 0.5), io.jigsaw.core.stats.Percentiles.of(v, v.length, 0.99)};
    }

    /** p50 of the slowest branch's time in batches ("model"), waiting for them ("queue") and between operators ("transfer"), ms. */
    Map<String, Double> pathP50Ms() {
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("model", p50(modelMs));
        out.put("queue", p50(queueMs));
        out.put("transfer", p50(transferMs));
        return out;
    }

    private static double p50(io.jigsaw.core.stats.DoubleSeries s) {
        double[] v = s.toArray();
        return Math.round(100 * io.jigsaw.core.stats.Percentiles.of(v, v.length, 0.5)) / 100.0;
    }

    Map<String, Object> sample() {
        return sample == null ? Map.of() : ResultFormat.json(sample);
    }
}
