package io.jigsaw.job;

import io.jigsaw.job.broker.KafkaBroker;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A real KRaft broker on 127.0.0.1 for one test class ({@code @RegisterExtension static}): started
 * from the Kafka jars in its own JVM before the class, stopped and its log folder removed after.
 */
public final class RealKafka implements BeforeAllCallback, AfterAllCallback {

    private Path dir;
    private KafkaBroker broker;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        dir = Files.createTempDirectory("jigsaw-kafka-");
        broker = KafkaBroker.start(dir, Duration.ofSeconds(90));
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try {
            if (broker != null) {
                broker.close();
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    public String bootstrap() {
        return broker.bootstrap();
    }

    /** The broker itself, for failure tests (kill, restart). */
    public KafkaBroker broker() {
        return broker;
    }
}
