package io.jigsaw.planner.profile;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.GraphLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The GPU profiling run ({@code bench/gpu/profile_gpu.py}) dry-run on this machine's CPU with its tiny
 * model: what it writes is read by the profile loader, so the run works the first time a GPU is there.
 * Needs a python3 with torch (Debian's python3-torch; .ci/run installs it); skipped, saying so, without.
 */
class GpuProfileScriptTest {

    static final Path CHECKOUT = Path.of(System.getProperty("jigsaw.examples.dir", "../examples")).toAbsolutePath().getParent();
    static final Path SCRIPT = CHECKOUT.resolve("bench/gpu/profile_gpu.py");

    @TempDir
    Path dir;

    @Test
    void theDryRunWritesAProfileTheLoaderReads() throws Exception {
        Optional<String> python = pythonWithTorch();
        assumeTrue(python.isPresent(), "no python3 with torch: apt-get install python3-torch (.ci/run does) to dry-run "
                + SCRIPT);
        Path csv = dir.resolve("profile-cpu.csv");

        Run run = run(List.of(python.get(), SCRIPT.toString(), "--device", "cpu", "--models", "tiny", "--batches", "1,2",
                "--shares", "100", "--runs", "5", "--out", csv.toString()), 120);

        assertThat(run.code).as(run.output).isZero();
        List<ProfileRow> rows = ProfileCsv.read(csv);
        assertThat(rows).extracting(ProfileRow::variant, ProfileRow::device, ProfileRow::share, ProfileRow::batch,
                ProfileRow::source).containsExactly(
                org.assertj.core.groups.Tuple.tuple("tiny", "cpu", 100.0, 1, ProfileRow.Source.MEASURED),
                org.assertj.core.groups.Tuple.tuple("tiny", "cpu", 100.0, 2, ProfileRow.Source.MEASURED));
        assertThat(rows).allSatisfy(r -> assertThat(r.p99Ms()).isGreaterThanOrEqualTo(r.p50Ms()).isPositive());
        assertThat(Files.readString(dir.resolve("profile-cpu.json"))).contains("\"method\": \"cpu dry run");

        // Through the planner's loader, as `bin/jigsaw plan --profile` reads it: partitions derived from it.
        Path graphFile = Files.writeString(dir.resolve("graph.yaml"), """
                name: dry-run
                latency_slo_ms: 100
                tasks:
                  - name: classify
                    variants:
                      - {name: tiny, accuracy: 1.0}
                """);
        Graph graph = GraphLoader.load(graphFile);
        Profile profile = ProfileLoader.load(graph, graphFile, List.of(csv), null, ShareGrid.mps(50));
        assertThat(profile.device()).isEqualTo("cpu");
        assertThat(profile.row("tiny", 100, 1).orElseThrow().derived()).isFalse();
        assertThat(profile.row("tiny", 50, 1).orElseThrow().derived()).isTrue();
    }

    @Test
    void anUnknownModelIsAUsageErrorNamingTheKnownOnes() throws Exception {
        Optional<String> python = pythonWithTorch();
        assumeTrue(python.isPresent(), "no python3 with torch: apt-get install python3-torch (.ci/run does)");

        Run run = run(List.of(python.get(), SCRIPT.toString(), "--models", "yolov9", "--out", dir.resolve("x.csv").toString()), 60);

        assertThat(run.code).isEqualTo(2);
        assertThat(run.output).contains("unknown model(s) yolov9").contains("resnet18");
    }

    record Run(int code, String output) {
    }

    /** The child writes into a file, never a pipe we could block on; it is killed if it overstays. */
    private Run run(List<String> cmd, int seconds) throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "run-", ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError(cmd + " did not finish in " + seconds + " s; its output:\n" + Files.readString(out));
        }
        return new Run(p.exitValue(), Files.readString(out));
    }

    /** Debian's python3 first (python3-torch installs there), then whatever python3 is on PATH. */
    private Optional<String> pythonWithTorch() throws IOException, InterruptedException {
        for (String python : List.of("/usr/bin/python3", "python3")) {
            try {
                if (run(List.of(python, "-c", "import torch"), 60).code == 0) {
                    return Optional.of(python);
                }
            } catch (IOException notThere) {
                // try the next
            }
        }
        return Optional.empty();
    }
}
