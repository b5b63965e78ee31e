package io.jigsaw.job;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.io.Directories;
import io.jigsaw.job.memory.MemoryIo;
import io.jigsaw.operators.DemoGraph;
import io.jigsaw.operators.PieceSerializer;
import io.jigsaw.schemas.Result;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

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
        Path savepoint = work.resolve("savepoint");
        Directories.copyFiles(fixture(PieceSerializer.FORMAT), savepoint);
        Graph graph = DemoGraph.load();
        // No new requests: the restored source goes on after the three it had read, and there is nothing after them.
        MemoryIo io = new MemoryIo(List.of(), List.of(SavepointJob.plan(DemoJob.staticPlan())));
        StreamExecutionEnvironment env = SavepointJob.environment(savepoint);
        SavepointJob.build(env, graph, io);
        JobClient job = env.executeAsync("savepoint-restore");
        try {
            // A restore that fails ends the job (no restarts here): the wait fails with its error, e.g. what changed in Piece.
            MemoryIo.await(job, () -> io.results.collected().size() >= SavepointJob.REQUESTS, Duration.ofSeconds(90));

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
