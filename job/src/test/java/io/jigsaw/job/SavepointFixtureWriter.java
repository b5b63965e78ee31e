package io.jigsaw.job;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.io.Directories;
import io.jigsaw.job.memory.MemoryIo;
import io.jigsaw.operators.DemoGraph;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Makes the savepoint fixture that {@code SavepointCompatibilityTest} restores; not part of the suite (its name
 * is not a test's), run by {@code job/src/test/savepoints/make-fixture.sh}, which says when to run it again.
 */
class SavepointFixtureWriter {

    @Test
    void writeTheFixture() throws Exception {
        Path out = Path.of(System.getProperty("jigsaw.savepoint.fixture"));
        Graph graph = DemoGraph.load();
        MemoryIo io = new MemoryIo(SavepointJob.requests(graph, System.currentTimeMillis()), List.of());
        StreamExecutionEnvironment env = SavepointJob.environment(null);
        SavepointJob.build(env, graph, io);
        JobClient job = env.executeAsync("savepoint-fixture");
        // No plan: the requests are decoded, deduplicated and wait at the detector. Nothing signals that they
        // have arrived there, so give them time (a generator, not a test: it runs when a format changes).
        Thread.sleep(15_000);
        assertThat(io.results.collected()).isEmpty();
        assertThat(io.deadLetters.collected()).isEmpty();
        Path taken = Path.of(URI.create(job.stopWithSavepoint(false, Files.createTempDirectory("savepoint").toUri().toString(),
                SavepointFormatType.CANONICAL).get(120, TimeUnit.SECONDS)));
        Directories.deleteTree(out);
        Directories.copyFiles(taken, out);
        System.out.println("savepoint fixture written to " + out + " from " + taken);
    }
}
