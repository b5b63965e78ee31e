package io.jigsaw.job;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.job.memory.MemoryIo;
import io.jigsaw.operators.DemoGraph;
import io.jigsaw.operators.PieceSerializer;
import io.jigsaw.schemas.Result;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A savepoint taken by a running job of an earlier build (the fixture: three requests waiting at the detector
 * for a plan, deduplicated, with their cleanup timers) is restored by this build, and the job answers those
 * requests once a plan comes. It fails the day Piece, a serializer or an operator's state changes without a
 * migration: then make a new fixture for the new format ({@code job/src/test/savepoints/make-fixture.sh}) and keep
 * this one, restored or refused with a clear message (docs/operations.md, "Upgrading a running job").
 */
class SavepointCompatibilityTest {

    @TempDir
    Path work;

    static Path fixture(int format) throws URISyntaxException {
        return Paths.get(Objects.requireNonNull(SavepointCompatibilityTest.class.getResource(
                "/savepoints/piece-format-" + format + "/_metadata"), "no fixture for format " + format).toURI()).getParent();
    }

    @Test
    void aSavepointOfTheCurrentFormatIsRestoredAndItsWaitingRequestsAreAnswered() throws Exception {
        // Copied: a restore must not depend on where the savepoint was written (savepoints are relocatable).
        Path savepoint = Files.createDirectories(work.resolve("savepoint"));
        try (Stream<Path> files = Files.list(fixture(PieceSerializer.FORMAT))) {
            for (Path f : files.toList()) {
                Files.copy(f, savepoint.resolve(f.getFileName()));
            }
        }
        Graph graph = DemoGraph.load();
        // No new requests: the restored source goes on after the three it had read.
        MemoryIo io = new MemoryIo(SavepointJob.requests(graph, 0), List.of(SavepointJob.plan(DemoJob.staticPlan())));
        StreamExecutionEnvironment env = SavepointJob.environment(savepoint);
        SavepointJob.build(env, graph, io);
        JobClient job = env.executeAsync("savepoint-restore");
        try {
            long until = System.currentTimeMillis() + 90_000;
            while (io.results.collected().size() < SavepointJob.REQUESTS && System.currentTimeMillis() < until) {
                if (job.getJobStatus().get(10, TimeUnit.SECONDS).isGloballyTerminalState()) {
                    // A restore that fails ends the job (no restarts here): its error says why, e.g. what changed in Piece.
                    job.getJobExecutionResult().get(10, TimeUnit.SECONDS);
                    throw new AssertionError("the restored job ended before answering the saved requests");
                }
                Thread.sleep(200);
            }
            Thread.sleep(1_000); // anything more would be a duplicate

            assertThat(io.results.collected()).extracting(r -> r.getRequestId().toString())
                    .containsExactlyInAnyOrder("saved-0", "saved-1", "saved-2");
            assertThat(io.results.collected()).allSatisfy((Result r) -> {
                assertThat(r.getDropped()).as(String.valueOf(r.getDropReason())).isFalse();
                assertThat(r.getPlanVersion()).isEqualTo(DemoJob.staticPlan().version());
                assertThat(r.getOutputs()).singleElement().satisfies(o -> assertThat(o.getTask()).isEqualTo("fuse"));
            });
            assertThat(io.deadLetters.collected()).as("the saved requests are not taken for new ones").isEmpty();
        } finally {
            job.cancel().get(60, TimeUnit.SECONDS);
        }
    }
}
