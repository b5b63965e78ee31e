package io.jigsaw.job;

import io.jigsaw.core.plan.PlanAvro;
import io.jigsaw.job.broker.KafkaBroker;
import io.jigsaw.job.client.Frames;
import io.jigsaw.job.kafka.AvroProducer;
import io.jigsaw.job.kafka.KafkaConnection;
import io.jigsaw.job.kafka.TopicReader;
import io.jigsaw.job.report.ResultStats;
import io.jigsaw.schemas.Result;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The job, its producers and readers against a broker that requires SASL login, configured only by a client properties file. */
class SecuredKafkaIntegrationTest {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    @TempDir
    static Path dir;

    static KafkaBroker broker;

    @BeforeAll
    static void startSecuredBroker() throws Exception {
        broker = KafkaBroker.startWithSasl(dir.resolve("kafka"), Duration.ofSeconds(90), "jigsaw", "jigsaw-secret");
    }

    @AfterAll
    static void stop() throws Exception {
        broker.close();
    }

    static Path clientProperties(String password) throws Exception {
        return Files.writeString(dir.resolve("client-" + password + ".properties"), String.join("\n",
                "security.protocol=SASL_PLAINTEXT",
                "sasl.mechanism=PLAIN",
                "sasl.jaas.config=" + KafkaBroker.plainLogin("jigsaw", password), ""));
    }

    @Test
    void theJobServesASecuredBrokerWithTheClientPropertiesFile() throws Exception {
        Configuration conf = new Configuration();
        conf.set(JigsawOptions.BOOTSTRAP, broker.bootstrap());
        conf.set(JigsawOptions.KAFKA_CLIENT_CONFIG, clientProperties("jigsaw-secret").toString());
        conf.set(JigsawOptions.REPLICA_SLOTS, 2);
        KafkaConnection kafka = KafkaConnection.from(conf);
        int n = 10;
        ResultStats stats = new ResultStats();
        try (DemoJob job = DemoJob.start(conf, "secured");
             AvroProducer producer = new AvroProducer(kafka);
             TopicReader<Result> results = new TopicReader<>(kafka, job.topics.results(), Result.class, false)) {
            producer.send(job.topics.plans(), job.graph.name(), PlanAvro.toAvro(DemoJob.staticPlan())).get(60, TimeUnit.SECONDS);
            for (int i = 0; i < n; i++) {
                long now = System.currentTimeMillis();
                producer.send(job.topics.requests(), "s" + i, Frames.request("s" + i, job.graph.name(), job.spec, now, now + 120_000, i)).get(60, TimeUnit.SECONDS);
            }
            long until = System.currentTimeMillis() + 120_000;
            while (stats.answered() < n && System.currentTimeMillis() < until) {
                results.poll(Duration.ofMillis(300)).forEach(stats::add);
            }
        }

        assertThat(stats.completed()).isEqualTo(n);
    }

    @Test
    void aWrongPasswordIsRefusedByTheBroker() throws Exception {
        KafkaConnection wrong = KafkaConnection.of(broker.bootstrap(), clientProperties("not-the-password"));

        assertThatThrownBy(() -> new TopicReader<>(wrong, "results", Result.class, false).close())
                .isInstanceOf(SaslAuthenticationException.class);
    }
}
