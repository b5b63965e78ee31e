package io.jigsaw.job.cli;

import io.jigsaw.planner.model.Policy;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Loki app other than traffic-analysis, in Loki's format as it is: two tasks in a chain, no
 * branching.csv, no sink (test fixture {@code loki-mini/speech_pipeline.json}, invented figures). It
 * plans under every policy and its capacity is searched for all of them, at a latency SLO given on the
 * command line.
 */
class OtherLokiAppTest {

    static Path app() throws URISyntaxException {
        return Path.of(OtherLokiAppTest.class.getResource("/loki-mini/speech_pipeline.json").toURI());
    }

    @Test
    void plansUnderEveryPolicy() throws Exception {
        for (Policy p : Policy.values()) {
            String out = stdout(() -> assertThat(JigsawCliTest.run("plan", "--graph", app().toString(), "--gpus", "2", "--demand", "20",
                    "--policy", p.cliName(), "--time-limit", "PT1S").code()).as(p.cliName()).isZero());
            assertThat(out).contains("policy " + p.cliName()).contains("latency SLO 200 ms").contains("FEASIBLE");
        }
    }

    @Test
    void itsCapacityIsSearchedForEveryPolicyAtTheLatencySloGiven() throws Exception {
        String out = stdout(() -> assertThat(JigsawCliTest.run("capacity", "--graph", app().toString(), "--gpus", "2", "--policy", "all",
                "--latency-slo", "120", "--time-limit", "PT1S", "--tolerance", "0.01", "--json").code()).isZero());
        assertThat(out).contains("latency SLO 120 ms").contains("\"latency_slo_ms\":120.0");
        for (Policy p : Policy.values()) {
            assertThat(out).containsPattern("(?m)^" + p.cliName() + " +[1-9][0-9.]* ");
        }
    }

    /** With --bound every figure carries a gap: Loki's from its own ILP (0 %), the others' from the per-path relaxation. */
    @Test
    void withABoundEveryFigureCarriesItsGap() throws Exception {
        String out = stdout(() -> assertThat(JigsawCliTest.run("capacity", "--graph", app().toString(), "--gpus", "2", "--policy", "all",
                "--time-limit", "PT1S", "--tolerance", "0.01", "--bound", "PT20S", "--json").code()).isZero());
        assertThat(out).containsPattern("(?m)^loki +[0-9.]+ +\\S+ +\\d+ +0\\.0 %");
        assertThat(out).containsPattern("(?m)^jigsaw +[0-9.]+ +\\S+ +\\d+ +[0-9.]+ %");
        assertThat(out).contains("\"bound_rps\":{\"jigsaw\":");
    }

    interface Body {
        void run() throws Exception;
    }

    /** What the command printed on System.out (the commands print there; picocli's writers carry help and errors). */
    static String stdout(Body body) throws Exception {
        PrintStream old = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            body.run();
        } finally {
            System.setOut(old);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
