package io.jigsaw.job;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.TensorSpec;
import io.jigsaw.core.plan.PlanAvro;
import io.jigsaw.core.plan.PlanFile;
import io.jigsaw.job.demo.Frames;
import io.jigsaw.job.demo.ResultStats;
import io.jigsaw.job.kafka.AvroProducer;
import io.jigsaw.job.kafka.KafkaBroker;
import io.jigsaw.job.kafka.KafkaConnection;
import io.jigsaw.job.kafka.TopicReader;
import io.jigsaw.job.kafka.Topics;
import io.jigsaw.operators.DjlVariantRunner;
import io.jigsaw.schemas.Result;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
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
        Graph graph = JigsawJobIntegrationTest.demoGraph();
        Configuration conf = new Configuration();
        conf.set(JigsawOptions.BOOTSTRAP, broker.bootstrap());
        conf.set(JigsawOptions.KAFKA_CLIENT_CONFIG, clientProperties("jigsaw-secret").toString());
        conf.set(JigsawOptions.REPLICA_SLOTS, 2);
        KafkaConnection kafka = KafkaConnection.from(conf);
        Topics topics = Topics.from(conf);
        topics.create(kafka, 2);
        TensorSpec spec = graph.input().orElseThrow();

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        JigsawJob.build(env, graph, conf, DjlVariantRunner.factory());
        JobClient job = env.executeAsync("secured");
        int n = 10;
        ResultStats stats = new ResultStats();
        try (AvroProducer producer = new AvroProducer(kafka);
             TopicReader<Result> results = new TopicReader<>(kafka, topics.results(), Result.class, false)) {
            producer.send(topics.plans(), graph.name(), PlanAvro.toAvro(PlanFile.read(
                    Path.of(System.getProperty("jigsaw.examples.dir"), "xr-scene", "plan.json")))).get();
            for (int i = 0; i < n; i++) {
                long now = System.currentTimeMillis();
                producer.send(topics.requests(), "s" + i, Frames.request("s" + i, graph.name(), spec, now, now + 120_000, i)).get();
            }
            long until = System.currentTimeMillis() + 120_000;
            while (stats.answered() < n && System.currentTimeMillis() < until) {
                results.poll(Duration.ofMillis(300)).forEach(stats::add);
            }
        } finally {
            job.cancel().get();
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
