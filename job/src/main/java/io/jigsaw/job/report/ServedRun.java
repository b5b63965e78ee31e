package io.jigsaw.job.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jigsaw.core.input.InputException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run the real job served, as its `bin/jigsaw demo --json` summary recorded it: the accuracy its
 * plans promised against the accuracy its answers scored on their truth, overall and per plan
 * version. MEASURED on served requests, unlike the report's capacity and simulation sections.
 *
 * @param fromTaskMeans the planner's path product over the tasks' mean live scores (NaN if absent)
 * @param adapt the per-request adaptation the run's plans had ({@code none} for runs before it existed)
 * @param sloVisible the share of requests answered within the SLO as the client read them (NaN if absent)
 */
public record ServedRun(String name, String accuracySource, long scored, double planned, double measured, double fromTaskMeans,
        List<PlanAccuracy> perPlan, Map<String, Double> taskScores, String adapt, double sloVisible) {

    /** One plan version's requests: how many were scored, planned and measured accuracy. */
    public record PlanAccuracy(String version, long scored, double planned, double measured) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Reads the summary: the last non-blank line of the file (so the demo's whole stdout can be saved as it is). */
    public static ServedRun read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new InputException(file, "", "cannot read it: " + e.getMessage());
        }
        String last = lines.stream().filter(l -> !l.isBlank()).reduce((a, b) -> b)
                .orElseThrow(() -> new InputException(file, "", "empty; expected the summary line of `bin/jigsaw demo --json`"));
        JsonNode summary;
        try {
            summary = JSON.readTree(last);
        } catch (IOException e) {
            throw new InputException(file, "last line", "not JSON; expected the summary line of `bin/jigsaw demo --json`");
        }
        if (!summary.path("accuracy_measured").isNumber()) {
            throw new InputException(file, "accuracy_measured", "missing: a summary of a run whose requests carried their truth "
                    + "(the demo's scenes do) has it");
        }
        List<PlanAccuracy> plans = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = summary.path("accuracy_per_plan").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            plans.add(new PlanAccuracy(e.getKey(), e.getValue().path("scored").asLong(), number(file, e.getValue(), "accuracy_planned",
                    "accuracy_per_plan." + e.getKey()), number(file, e.getValue(), "accuracy_measured", "accuracy_per_plan." + e.getKey())));
        }
        Map<String, Double> tasks = new LinkedHashMap<>();
        summary.path("task_scores_measured").fields().forEachRemaining(e -> tasks.put(e.getKey(), e.getValue().asDouble()));
        return new ServedRun(file.getFileName().toString(), summary.path("accuracy_source").asText("offline"),
                summary.path("accuracy_scored_requests").asLong(), number(file, summary, "accuracy_planned", ""),
                summary.get("accuracy_measured").asDouble(), summary.path("accuracy_from_task_means").asDouble(Double.NaN),
                plans, tasks, summary.path("adapt").asText("none"), summary.path("slo_attainment_visible").asDouble(Double.NaN));
    }

    private static double number(Path file, JsonNode node, String field, String under) {
        if (!node.path(field).isNumber()) {
            throw new InputException(file, under.isEmpty() ? field : under + "." + field, "expected a number, found " + node.path(field));
        }
        return node.get(field).asDouble();
    }
}
