package io.jigsaw.job.cli;

import io.jigsaw.job.JigsawOptions;
import io.jigsaw.job.kafka.KafkaConnection;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code --bootstrap} and {@code --kafka-config}: where Kafka is and how to log in, for every command that talks to it. */
final class KafkaClientOption {

    @Option(names = "--bootstrap", description = "Kafka bootstrap servers (default: the job's jigsaw.kafka.bootstrap-servers,"
            + " 127.0.0.1:9092).")
    String bootstrap;

    @Option(names = "--kafka-config", paramLabel = "FILE", description = "Kafka client properties for a secured cluster "
            + "(security.protocol, sasl.mechanism, sasl.jaas.config, ssl.truststore.location …); never printed.")
    Path file;

    /** Puts what was given into the job's configuration (options jigsaw.kafka.bootstrap-servers, jigsaw.kafka.client-config). */
    void applyTo(Configuration conf) {
        if (bootstrap != null) {
            conf.set(JigsawOptions.BOOTSTRAP, bootstrap);
        }
        if (file != null) {
            conf.set(JigsawOptions.KAFKA_CLIENT_CONFIG, file.toAbsolutePath().toString());
        }
    }

    KafkaConnection connection() {
        return KafkaConnection.of(bootstrap != null ? bootstrap : JigsawOptions.BOOTSTRAP.defaultValue(), file);
    }
}
