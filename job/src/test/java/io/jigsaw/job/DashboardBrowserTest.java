package io.jigsaw.job;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The Flink web dashboard of a running job, opened in headless Chromium as an operator would: its
 * job graph shows one vertex per task, and a screenshot is kept ({@code target/dashboard.png}).
 * Needs Debian's chromium (.ci/run installs it); without it the test is skipped, saying so.
 */
class DashboardBrowserTest {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    @RegisterExtension
    static final RealKafka kafka = new RealKafka();

    @Test
    void theJobGraphShowsOneVertexPerTask(@InjectMiniCluster MiniCluster cluster, @TempDir Path profile) throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM), "no " + CHROMIUM + ": install Debian's chromium to run the dashboard test");
        try (DemoJob job = DemoJob.start(kafka.bootstrap(), "jigsaw: dashboard")) {
            JobID id = job.jobId();
            long until = System.currentTimeMillis() + 60_000;
            while (cluster.getJobStatus(id).get() != JobStatus.RUNNING && System.currentTimeMillis() < until) {
                Thread.sleep(200);
            }
            URI page = URI.create(cluster.getRestAddress().get() + "/#/job/running/" + id + "/overview");

            String dom = chromium(profile, "--dump-dom", page.toString());
            Files.writeString(Path.of("target", "dashboard.html"), dom); // what the assertions read, for a failure's reader
            Path shot = Path.of("target", "dashboard.png").toAbsolutePath();
            chromium(profile, "--screenshot=" + shot, page.toString());

            List<String> vertices = vertexNames(dom);
            for (String task : List.of("detect", "classify", "depth", "fuse")) {
                assertThat(vertices).as("vertices named for task " + task + " in " + vertices)
                        .filteredOn(v -> v.equals(task) || v.startsWith(task + " ")).hasSize(1);
            }
            assertThat(vertices).anyMatch(v -> v.startsWith("join:fuse")).anyMatch(v -> v.startsWith("assemble-results"));
            assertThat(shot).isNotEmptyFile();
        }
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

    private static String chromium(Path profile, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + profile, "--window-size=1600,1000", "--virtual-time-budget=15000"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("chromium did not finish in 120 s: " + cmd);
        }
        return new String(out, StandardCharsets.UTF_8);
    }
}
