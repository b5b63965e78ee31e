package io.jigsaw.job.broker;

import io.jigsaw.job.broker.KafkaBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class KafkaBrokerTest {

    @Test
    void aDiscardedBrokerLeavesItsLogsButNotItsRecords(@TempDir Path dir) throws Exception {
        KafkaBroker broker = KafkaBroker.start(dir, Duration.ofSeconds(90));
        // The cluster's own metadata log is there from the start; the demo's topics add hundreds of MB a run.
        assertThat(dir.resolve("data")).isDirectoryContaining(p -> p.getFileName().toString().startsWith("__cluster_metadata"));

        broker.discard();

        assertThat(dir.resolve("data")).doesNotExist();
        assertThat(dir.resolve("broker.out")).exists();
        assertThat(dir.resolve("server.properties")).exists();
    }
}
