package io.jigsaw.job.client;

import io.jigsaw.schemas.DetectedObject;
import io.jigsaw.schemas.LabelScore;
import io.jigsaw.schemas.Result;
import io.jigsaw.schemas.TaskOutput;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A {@link Result} as a person reads it (a line per request, a line per object) and as plain JSON
 * for scripts: what {@code bin/jigsaw results} prints and the demo's {@code sample_result}.
 */
public final class ResultFormat {

    /** Longer tensors are cut in the readable form (the JSON keeps them whole). */
    private static final int SHOWN_VALUES = 8;

    private ResultFormat() {
    }

    public static String text(Result r) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%s  latency %d ms  %s  plan v%d", r.getRequestId(), r.getLatencyMs(),
                r.getDropped() ? "DROPPED (" + r.getDropReason() + ")" : r.getSloMet() ? "SLO met" : "SLO missed", r.getPlanVersion()));
        if (!r.getVariants().isEmpty()) {
            b.append("  ").append(variants(r));
        }
        if (!r.getDropped()) {
            b.append(String.format(Locale.ROOT, "  %d object(s)", r.getObjects().size()));
        }
        if (r.getAccuracyMeasured() != null) {
            b.append(String.format(Locale.ROOT, "  accuracy planned %.2f measured %.2f %s", r.getAccuracy(), r.getAccuracyMeasured(),
                    r.getTaskScores()));
        }
        if (!r.getTruthRejected().isEmpty()) {
            b.append("  (truth rejected: ").append(r.getTruthRejected()).append(')');
        }
        for (DetectedObject o : r.getObjects()) {
            b.append(String.format(Locale.ROOT, "%n  %-10s box [%s] score %.2f", o.getId(), values(o.getBox(), 4), o.getScore()));
            for (TaskOutput t : o.getOutputs()) {
                b.append("  ").append(output(t));
            }
        }
        for (TaskOutput t : r.getOutputs()) {
            b.append(String.format("%n  %s", output(t)));
        }
        return b.toString();
    }

    public static Map<String, Object> json(Result r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("request_id", r.getRequestId());
        m.put("graph", r.getGraph());
        m.put("latency_ms", r.getLatencyMs());
        m.put("slo_met", r.getSloMet());
        m.put("dropped", r.getDropped());
        if (r.getDropped()) {
            m.put("drop_reason", r.getDropReason());
        }
        m.put("plan_version", r.getPlanVersion());
        m.put("breakdown_ms", Map.of("transfer", r.getTransferMs(), "queue", r.getQueueMs(), "model", r.getModelMs(), "hops", r.getHops()));
        m.put("variants", new LinkedHashMap<>(r.getVariants()));
        m.put("accuracy_planned", r.getAccuracy());
        if (r.getAccuracyMeasured() != null) {
            m.put("accuracy_measured", r.getAccuracyMeasured());
            m.put("task_scores", new LinkedHashMap<>(r.getTaskScores()));
        }
        if (!r.getTruthRejected().isEmpty()) {
            m.put("truth_rejected", r.getTruthRejected());
        }
        List<Map<String, Object>> objects = new ArrayList<>();
        for (DetectedObject o : r.getObjects()) {
            Map<String, Object> om = new LinkedHashMap<>();
            om.put("id", o.getId());
            om.put("box", o.getBox());
            om.put("score", o.getScore());
            om.put("outputs", outputs(o.getOutputs()));
            objects.add(om);
        }
        m.put("objects", objects);
        m.put("outputs", outputs(r.getOutputs()));
        return m;
    }

    private static Map<String, Object> outputs(List<TaskOutput> outputs) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (TaskOutput t : outputs) {
            Map<String, Object> tm = new LinkedHashMap<>();
            tm.put("variant", t.getVariant());
            if (!t.getLabels().isEmpty()) {
                tm.put("labels", t.getLabels().stream().map(l -> Map.of("label", l.getLabel(), "score", l.getScore())).toList());
            }
            tm.put("tensors", new LinkedHashMap<>(t.getTensors()));
            m.put(t.getTask(), tm);
        }
        return m;
    }

    private static String output(TaskOutput t) {
        if (!t.getLabels().isEmpty()) {
            List<String> parts = new ArrayList<>();
            for (LabelScore l : t.getLabels()) {
                parts.add(String.format(Locale.ROOT, "%s %.2f", l.getLabel(), l.getScore()));
            }
            return t.getTask() + ": " + String.join(", ", parts);
        }
        List<String> parts = new ArrayList<>();
        t.getTensors().forEach((name, v) -> parts.add(name + " [" + values(v, SHOWN_VALUES) + "]"));
        return t.getTask() + ": " + String.join(" ", parts);
    }

    private static String values(List<Float> v, int most) {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < Math.min(most, v.size()); i++) {
            parts.add(String.format(Locale.ROOT, "%.2f", v.get(i)));
        }
        return String.join(" ", parts) + (v.size() > most ? " … (" + v.size() + ")" : "");
    }

    private static String variants(Result r) {
        List<String> parts = new ArrayList<>();
        r.getVariants().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> parts.add(e.getKey() + "=" + e.getValue()));
        return String.join(" ", parts);
    }
}
