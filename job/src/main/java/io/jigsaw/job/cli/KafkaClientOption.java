package io.jigsaw.job.cli;

import io.jigsaw.job.JigsawOptions;
import io.jigsaw.job.kafka.KafkaConnection;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code --kafka-config}: the Kafka client properties of a secured cluster, for every command that talks to Kafka. */
final class KafkaClientOption {

    @Option(names = "--kafka-config", paramLabel = "FILE", description = "Kafka client properties for a secured cluster "
            + "(security.protocol, sasl.mechanism, sasl.jaas.config, ssl.truststore.location …); never printed.")
    Path file;

    /** Puts the file into the job's configuration (option jigsaw.kafka.client-config). */
    void applyTo(Configuration conf) {
        if (file != null) {
            conf.set(JigsawOptions.KAFKA_CLIENT_CONFIG, file.toAbsolutePath().toString());
        }
    }

    KafkaConnection connection(String bootstrap) {
        return KafkaConnection.of(bootstrap, file);
    }
}
