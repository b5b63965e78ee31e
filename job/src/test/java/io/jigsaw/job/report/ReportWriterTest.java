package io.jigsaw.job.report;

import io.jigsaw.planner.sim.SimulationResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ReportWriterTest {

    @TempDir
    Path dir;

    private static SimulationResult run(String policy, double share) {
        long[] arrivals = new long[25];
        long[] violations = new long[25];
        double[] shares = new double[25];
        java.util.Arrays.fill(arrivals, 10);
        violations[12] = 5;
        java.util.Arrays.fill(shares, share);
        return new SimulationResult(policy, 4, 250, 245, 3, 2, 2.0, 40, 180, share, 0.93, 3, 0,
                List.of(new SimulationResult.TaskStats("detect", 250, 120, 2.08, 3, 4.5, 60)),
                new SimulationResult.Timeline(arrivals, violations, shares), 0.5, 0.4, 0, 0);
    }

    @Test
    void writesAPageWithEveryPlotItLinksAndTheTablesAndMarksDerivedRowsAndSimulation() throws Exception {
        Report report = new Report("app", "gpu", 250, 120, List.of(
                new Report.CapacityPoint(0.9, 2, "jigsaw", 40, "GPUs", true),
                new Report.CapacityPoint(0.9, 8, "jigsaw", 170, "GPUs", true),
                new Report.CapacityPoint(0.9, 2, "loki", 20, "latency", false),
                new Report.CapacityPoint(0.9, 8, "loki", 138, "latency", false)),
                "gamma:rate=10", 4, 0.9, List.of(run("jigsaw", 45), run("loki", 100)), List.of());

        Path index = ReportWriter.write(report, dir);

        String html = Files.readString(index);
        List<String> images = java.util.regex.Pattern.compile("src=\"([^\"]+)\"").matcher(html).results().map(m -> m.group(1)).toList();
        assertThat(images).containsExactlyInAnyOrder("capacity-a0.90.png", "arrivals.png", "slo-violations.png", "gpu-share.png",
                "accuracy-vs-share.png");
        for (String image : images) {
            byte[] png = Files.readAllBytes(dir.resolve(image));
            assertThat(png).as(image).hasSizeGreaterThan(1000);
            assertThat(new String(png, 1, 3, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("PNG");
        }
        assertThat(html).contains("120 DERIVED partition rows").contains("SIMULATION on gamma:rate=10")
                .contains("<td>8</td><td style=\"text-align:left\">jigsaw</td><td>170.0</td><td>1.23&times;</td><td>yes</td>");
    }

    @Test
    void aServedRunsSummaryBecomesATableAndAPlotOfPlannedAgainstMeasuredPerPlan() throws Exception {
        Path summary = Files.writeString(dir.resolve("run.json"), "[demo] progress lines may come first\n"
                + "{\"accuracy_source\":\"offline\",\"accuracy_scored_requests\":300,\"accuracy_planned\":0.92,"
                + "\"accuracy_measured\":0.94,\"accuracy_from_task_means\":0.85,\"accuracy_per_plan\":{"
                + "\"v1\":{\"scored\":200,\"accuracy_planned\":0.937,\"accuracy_measured\":0.899},"
                + "\"v2\":{\"scored\":100,\"accuracy_planned\":0.89,\"accuracy_measured\":0.874}},"
                + "\"task_scores_measured\":{\"detect\":0.86}}\n");
        ServedRun run = ServedRun.read(summary);
        Report report = new Report("app", "cpu", 400, 0, List.of(), "", 1, 0.85, List.of(), List.of(run));

        String html = Files.readString(ReportWriter.write(report, dir.resolve("out")));

        assertThat(run.perPlan()).extracting(ServedRun.PlanAccuracy::version).containsExactly("v1", "v2");
        assertThat(html).contains("accuracy planned vs MEASURED").contains("planned 0.9200, measured 0.9400, from task means 0.8500")
                .contains("<tr><td>v1</td><td>200</td><td>0.9370</td><td>0.8990</td><td>0.0380</td></tr>")
                .contains("src=\"served-accuracy.png\"");
        assertThat(dir.resolve("out/served-accuracy.png")).isNotEmptyFile();
    }

    @Test
    void aSummaryWithoutMeasuredAccuracyIsRefusedNamingTheFileAndField() throws Exception {
        Path summary = Files.writeString(dir.resolve("old.json"), "{\"accuracy_planned\":1.0}\n");

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ServedRun.read(summary))
                .isInstanceOf(io.jigsaw.core.input.InputException.class)
                .hasMessageContaining("old.json").hasMessageContaining("accuracy_measured");
        Path noPlanned = Files.writeString(dir.resolve("partial.json"), "{\"accuracy_planned\":0.9,\"accuracy_measured\":0.8,"
                + "\"accuracy_per_plan\":{\"v1\":{\"scored\":3,\"accuracy_measured\":0.8}}}\n");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ServedRun.read(noPlanned))
                .hasMessageContaining("partial.json").hasMessageContaining("accuracy_per_plan.v1.accuracy_planned");
        Path notJson = Files.writeString(dir.resolve("log.txt"), "[demo] stopped\n");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ServedRun.read(notJson)).hasMessageContaining("not JSON");
    }

    @Test
    void bucketsTurnPerSecondCountsIntoTenSecondRatesAndPercentages() {
        long[] arrivals = new long[20];
        long[] late = new long[20];
        java.util.Arrays.fill(arrivals, 4);
        late[15] = 8;

        assertThat(ReportWriter.bucketRate(arrivals)).containsExactly(new double[] {4.0, 4.0}, within(1e-9));
        assertThat(ReportWriter.bucketPercent(late, arrivals)).containsExactly(new double[] {0.0, 20.0}, within(1e-9));
    }
}
