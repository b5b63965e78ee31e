package io.jigsaw.job.report;

import io.jigsaw.core.input.InputException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
        DemoSummary summary;
        try {
            summary = DemoSummary.fromJson(last);
        } catch (IOException e) {
            throw new InputException(file, "last line", "not JSON of a demo summary (" + e.getMessage().lines().findFirst().orElse("")
                    + "); expected the summary line of `bin/jigsaw demo --json`");
        }
        double measured = required(file, summary.accuracyMeasured(), "accuracy_measured",
                "a summary of a run whose requests carried their truth (the demo's scenes do) has it");
        double planned = required(file, summary.accuracyPlanned(), "accuracy_planned", "expected a number");
        List<PlanAccuracy> plans = new ArrayList<>();
        if (summary.accuracyPerPlan() != null) {
            summary.accuracyPerPlan().forEach((version, p) -> plans.add(new PlanAccuracy(version, p.scored(),
                    required(file, p.accuracyPlanned(), "accuracy_per_plan." + version + ".accuracy_planned", "expected a number"),
                    required(file, p.accuracyMeasured(), "accuracy_per_plan." + version + ".accuracy_measured", "expected a number"))));
        }
        return new ServedRun(file.getFileName().toString(), summary.accuracySource() == null ? "offline" : summary.accuracySource(),
                summary.accuracyScoredRequests(), planned, measured,
                summary.accuracyFromTaskMeans() == null ? Double.NaN : summary.accuracyFromTaskMeans(), plans,
                summary.taskScoresMeasured() == null ? Map.of() : summary.taskScoresMeasured(),
                summary.adapt() == null ? "none" : summary.adapt(),
                summary.sloAttainmentVisible() == null ? Double.NaN : summary.sloAttainmentVisible());
    }

    /** A figure the report cannot do without: its value, or an error naming the file and the field. */
    private static double required(Path file, Double value, String field, String expected) {
        if (value == null) {
            throw new InputException(file, field, "missing: " + expected);
        }
        return value;
    }
}
