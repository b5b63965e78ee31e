package io.jigsaw.job;

import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The Flink web dashboard of a running job, opened in headless Chromium as an operator would: its
 * job graph shows one vertex per task, and a screenshot is kept ({@code target/dashboard.png}).
 * Needs Debian's chromium and chromium-driver (.ci/run installs them); without them it is skipped, saying so.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class DashboardBrowserTest {

    static final List<String> TASKS = List.of("detect", "classify", "depth", "fuse");

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    @RegisterExtension
    static final RealKafka kafka = new RealKafka();

    @Test
    void theJobGraphShowsOneVertexPerTask(@InjectMiniCluster MiniCluster cluster) throws Exception {
        assumeTrue(HeadlessChromium.missing().isEmpty(), HeadlessChromium.missing().orElse(""));
        try (DemoJob job = DemoJob.start(kafka.bootstrap(), "jigsaw: dashboard");
             HeadlessChromium browser = HeadlessChromium.start(HeadlessChromium.DRIVER, Duration.ofSeconds(30), Duration.ofSeconds(60))) {
            JobID id = job.jobId();
            browser.open(cluster.getRestAddress().get() + "/#/job/running/" + id + "/overview");

            // The page is an Angular app that fills the graph in after its REST calls: wait for every vertex.
            List<String> vertices = browser.await(Duration.ofSeconds(60), d -> {
                List<String> names = vertexNames(d.getPageSource());
                return names.stream().anyMatch(v -> v.startsWith("assemble-results")) && names.size() >= 6 ? names : null;
            });
            // The graph zooms to fit once laid out: a screenshot before that shows an empty canvas.
            String[] zoom = {""};
            browser.await(Duration.ofSeconds(30), d -> {
                String now = d.findElement(By.cssSelector("svg.svg-inner > g")).getAttribute("transform");
                boolean settled = now != null && now.equals(zoom[0]);
                zoom[0] = now;
                return settled;
            });
            Files.writeString(Path.of("target", "dashboard.html"), browser.dom()); // what the assertions read, for a failure's reader
            Path shot = Path.of("target", "dashboard.png").toAbsolutePath();
            browser.screenshot(shot);

            for (String task : TASKS) {
                assertThat(vertices).as("vertices named for task " + task + " in " + vertices)
                        .filteredOn(v -> v.equals(task) || v.startsWith(task + " ")).hasSize(1);
            }
            assertThat(vertices).anyMatch(v -> v.startsWith("join:fuse")).anyMatch(v -> v.startsWith("assemble-results"));
            assertThat(shot).isNotEmptyFile();
        }
    }

    @Test
    void aBrowserDriverThatNeverAnswersFailsWithinItsTimeout(@TempDir Path dir) throws Exception {
        assumeTrue(HeadlessChromium.missing().isEmpty(), HeadlessChromium.missing().orElse(""));
        Path silent = dir.resolve("chromedriver");
        Files.writeString(silent, "#!/bin/sh\nexec sleep 600\n");
        assertThat(silent.toFile().setExecutable(true)).isTrue();

        long t0 = System.nanoTime();
        assertThatThrownBy(() -> HeadlessChromium.start(silent, Duration.ofSeconds(3), Duration.ofSeconds(10)).close())
                .hasStackTraceContaining("Timed out waiting for driver server");

        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(30));
        assertThat(ProcessHandle.current().descendants()).as("the silent driver was stopped")
                .noneMatch(p -> p.info().command().orElse("").endsWith("/sleep"));
    }

    /** The dashboard's job graph draws each vertex (a chain of operators) as a node with its name as description. */
    static List<String> vertexNames(String dom) {
        List<String> names = new ArrayList<>();
        Matcher m = Pattern.compile("class=\"detail description[^\"]*\">\\s*([^<]+?)\\s*<").matcher(dom);
        while (m.find()) {
            names.add(m.group(1).replace("&gt;", ">").replace("&amp;", "&"));
        }
        return names;
    }
}
