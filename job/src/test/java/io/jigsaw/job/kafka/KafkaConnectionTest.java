package io.jigsaw.job.kafka;

import io.jigsaw.core.input.InputException;
import io.jigsaw.job.JigsawOptions;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KafkaConnectionTest {

    static final String SASL = """
            security.protocol=SASL_SSL
            sasl.mechanism=PLAIN
            sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="jigsaw" password="s3cret-pw";
            ssl.truststore.location=/etc/kafka/truststore.jks
            """;

    @Test
    void theClientPropertiesFileReachesEveryClientWithTheBootstrapServers(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("client.properties"), SASL);
        Configuration conf = new Configuration();
        conf.set(JigsawOptions.BOOTSTRAP, "broker-1:9093");
        conf.set(JigsawOptions.KAFKA_CLIENT_CONFIG, file.toString());

        KafkaConnection kafka = KafkaConnection.from(conf);

        assertThat(kafka.properties())
                .containsEntry("bootstrap.servers", "broker-1:9093")
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "PLAIN")
                .containsKey("sasl.jaas.config");
    }

    @Test
    void itNamesTheClientPropertiesButNeverPrintsTheirValues(@TempDir Path dir) throws Exception {
        KafkaConnection kafka = KafkaConnection.of("broker-1:9093", Files.writeString(dir.resolve("client.properties"), SASL));

        assertThat(kafka.toString()).contains("broker-1:9093", "sasl.jaas.config", "security.protocol")
                .doesNotContain("s3cret-pw", "SASL_SSL", "truststore.jks");
    }

    @Test
    void withoutAFileItIsAPlainConnection() {
        KafkaConnection kafka = KafkaConnection.from(new Configuration());

        assertThat(kafka.client()).isEmpty();
        assertThat(kafka.properties()).containsOnlyKeys("bootstrap.servers");
    }

    @Test
    void aMissingFileOrBootstrapServersInsideItAreErrorsThatNameTheFile(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("nope.properties");
        assertThatThrownBy(() -> KafkaConnection.of("b:9092", missing))
                .isInstanceOf(InputException.class).hasMessageContaining("nope.properties");

        Path withBootstrap = Files.writeString(dir.resolve("client.properties"), "bootstrap.servers=elsewhere:9092\n");
        assertThatThrownBy(() -> KafkaConnection.of("b:9092", withBootstrap))
                .isInstanceOf(InputException.class).hasMessageContaining("client.properties").hasMessageContaining("--bootstrap");
    }
}
