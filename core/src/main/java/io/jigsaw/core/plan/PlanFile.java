package io.jigsaw.core.plan;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.jigsaw.core.input.Fields;
import io.jigsaw.core.input.InputException;
import io.jigsaw.core.input.TreeFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * plan.json: the same fields as the Avro {@code Plan} on the {@code plans} topic, in snake_case JSON
 * (see README). Read with field-path errors; written pretty-printed so people can edit it.
 */
public final class PlanFile {

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private PlanFile() {
    }

    public static Plan read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new InputException(file, "", "no such plan file");
        }
        return fromTree(TreeFiles.json(file));
    }

    static Plan fromTree(Fields root) {
        root.requireObject(Set.of("graph", "version", "created_by", "note", "tasks"));
        List<TaskPlan> tasks = new ArrayList<>();
        for (Fields t : root.field("tasks").list()) {
            t.requireObject(Set.of("task", "variant", "batch_size", "batch_timeout_ms", "latency_budget_ms", "partitions", "ladder", "cascade"));
            List<Partition> parts = new ArrayList<>();
            for (Fields p : t.field("partitions").list()) {
                p.requireObject(Set.of("gpu", "share", "variant", "batch_size", "weight", "mig_slice"));
                parts.add(new Partition(p.field("gpu").integer(), p.field("share").number(),
                        p.field("variant").present() ? p.field("variant").text() : null,
                        p.field("batch_size").present() ? p.field("batch_size").integer() : 0,
                        p.field("weight").present() ? p.field("weight").number() : 0,
                        p.field("mig_slice").present() ? p.field("mig_slice").text() : null));
            }
            tasks.add(new TaskPlan(t.field("task").text(), t.field("variant").text(), t.field("batch_size").integer(),
                    t.field("batch_timeout_ms").number(),
                    t.field("latency_budget_ms").present() ? t.field("latency_budget_ms").number() : 0, parts, adaptation(t)));
        }
        long version = root.field("version").present() ? root.field("version").integer() : 1;
        return new Plan(root.field("graph").text(), version, root.field("created_by").text("file"),
                root.field("note").node().asText(""), tasks);
    }

    private static Adaptation adaptation(Fields t) {
        List<Adaptation.Rung> ladder = new ArrayList<>();
        if (t.field("ladder").present()) {
            for (Fields r : t.field("ladder").list()) {
                r.requireObject(Set.of("variant", "batch_ms"));
                ladder.add(new Adaptation.Rung(r.field("variant").text(), r.field("batch_ms").number()));
            }
        }
        Adaptation.Cascade cascade = null;
        if (t.field("cascade").present()) {
            Fields c = t.field("cascade");
            c.requireObject(Set.of("escalate_to", "threshold", "escalate_batch_ms", "expected_rate"));
            cascade = new Adaptation.Cascade(c.field("escalate_to").text(), c.field("threshold").number(),
                    c.field("escalate_batch_ms").number(), c.field("expected_rate").present() ? c.field("expected_rate").number() : 0);
        }
        return new Adaptation(ladder, cascade);
    }

    public static String toJson(Plan plan) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("graph", plan.graph());
        out.put("version", plan.version());
        out.put("created_by", plan.createdBy());
        out.put("note", plan.note());
        List<Object> tasks = new ArrayList<>();
        for (TaskPlan t : plan.tasks()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("task", t.task());
            m.put("variant", t.variant());
            m.put("batch_size", t.batchSize());
            m.put("batch_timeout_ms", t.batchTimeoutMs());
            m.put("latency_budget_ms", t.latencyBudgetMs());
            m.put("partitions", t.partitions().stream().map(PlanFile::partition).toList());
            // Written only where the plan adapts per request, so plans without it read as before.
            if (!t.adaptation().ladder().isEmpty()) {
                m.put("ladder", t.adaptation().ladder().stream().map(r -> {
                    Map<String, Object> rung = new LinkedHashMap<>();
                    rung.put("variant", r.variant());
                    rung.put("batch_ms", r.batchMs());
                    return rung;
                }).toList());
            }
            t.adaptation().cascadeIfAny().ifPresent(c -> {
                Map<String, Object> cm = new LinkedHashMap<>();
                cm.put("escalate_to", c.escalateTo());
                cm.put("threshold", c.threshold());
                cm.put("escalate_batch_ms", c.escalateBatchMs());
                cm.put("expected_rate", c.expectedRate());
                m.put("cascade", cm);
            });
            tasks.add(m);
        }
        out.put("tasks", tasks);
        try {
            return MAPPER.writeValueAsString(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * gpu and share always; a split's variant, batch and weight, and a MIG slice, only where the plan sets them,
     * so plans without them read as before.
     */
    private static Map<String, Object> partition(Partition p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("gpu", p.gpu());
        m.put("share", p.share());
        if (p.variant() != null) {
            m.put("variant", p.variant());
        }
        if (p.batchSize() > 0) {
            m.put("batch_size", p.batchSize());
        }
        if (p.weight() > 0) {
            m.put("weight", p.weight());
        }
        if (p.migSlice() != null) {
            m.put("mig_slice", p.migSlice());
        }
        return m;
    }

    public static void write(Plan plan, Path file) throws IOException {
        Files.writeString(file, toJson(plan) + System.lineSeparator());
    }
}
