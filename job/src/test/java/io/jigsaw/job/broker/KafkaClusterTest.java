package io.jigsaw.job.broker;

import io.jigsaw.job.JigsawOptions;
import io.jigsaw.job.broker.KafkaCluster;
import io.jigsaw.job.kafka.AvroProducer;
import io.jigsaw.job.kafka.KafkaConnection;
import io.jigsaw.job.kafka.TopicReader;
import io.jigsaw.job.kafka.Topics;
import io.jigsaw.operators.DeadLetters;
import io.jigsaw.schemas.DeadLetter;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Three KRaft brokers on 127.0.0.1 (`demo --kafka-brokers 3`): topics replicated three times, one broker's crash costs nothing. */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class KafkaClusterTest {

    @Test
    void topicsAreReplicatedThriceAndWritesGoOnWhileOneBrokerIsDown(@TempDir Path dir) throws Exception {
        try (KafkaCluster cluster = KafkaCluster.start(dir, 3, Duration.ofSeconds(150))) {
            Configuration conf = new Configuration();
            conf.set(JigsawOptions.BOOTSTRAP, cluster.bootstrap());
            Topics topics = Topics.from(conf);
            topics.create(cluster.bootstrap(), 2);
            try (Admin admin = Admin.create(KafkaConnection.plain(cluster.bootstrap()).properties())) {
                Map<String, TopicDescription> described = admin.describeTopics(List.of(topics.requests(), topics.results()))
                        .allTopicNames().get(60, TimeUnit.SECONDS);
                assertThat(described.get(topics.requests()).partitions()).hasSize(2)
                        .allSatisfy(p -> assertThat(p.replicas()).hasSize(3));
                ConfigResource results = new ConfigResource(ConfigResource.Type.TOPIC, topics.results());
                assertThat(admin.describeConfigs(List.of(results)).all().get(60, TimeUnit.SECONDS).get(results)
                        .get("min.insync.replicas").value()).isEqualTo("2");
            }

            cluster.crash(2);
            try (AvroProducer producer = new AvroProducer(cluster.bootstrap());
                 TopicReader<DeadLetter> reader = new TopicReader<>(cluster.bootstrap(), topics.deadLetters(), DeadLetter.class)) {
                // acks=all with two of three in sync: written while the third broker is down.
                for (int i = 0; i < 5; i++) {
                    producer.send(topics.deadLetters(), "k" + i, DeadLetters.of("t", "s", "while down " + i, "", i, new byte[1]))
                            .get(60, TimeUnit.SECONDS);
                }
                cluster.crashAndRestart(2, Duration.ofSeconds(150));
                assertThat(reader.readToEnd(Duration.ofSeconds(60))).extracting(DeadLetter::getReason)
                        .containsExactly("while down 0", "while down 1", "while down 2", "while down 3", "while down 4");
            }
        }
        assertThat(dir.resolve("node-3/broker.out")).exists();
    }
}
