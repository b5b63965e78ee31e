package io.jigsaw.job.kafka;

import io.jigsaw.job.JigsawOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;

/** The five topics of DESIGN.md, named by the job's options, and creating them. */
public record Topics(String requests, String results, String plans, String telemetry, String deadLetters) {

    public static Topics from(Configuration conf) {
        return new Topics(conf.get(JigsawOptions.TOPIC_REQUESTS), conf.get(JigsawOptions.TOPIC_RESULTS),
                conf.get(JigsawOptions.TOPIC_PLANS), conf.get(JigsawOptions.TOPIC_TELEMETRY),
                conf.get(JigsawOptions.TOPIC_DEAD_LETTERS));
    }

    /**
     * Creates any that do not exist; requests get one partition per replica slot so the source can spread.
     * Results are keyed by request id and compacted: a result written again after a restore (idempotent
     * delivery) replaces the first, so the topic keeps one answer per request.
     */
    public void create(String bootstrap, int requestPartitions) throws InterruptedException, ExecutionException {
        create(KafkaConnection.plain(bootstrap), requestPartitions);
    }

    public void create(KafkaConnection kafka, int requestPartitions) throws InterruptedException, ExecutionException {
        try (Admin admin = Admin.create(kafka.properties())) {
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> topics = new ArrayList<>();
            Map.of(requests, requestPartitions, results, 1, plans, 1, telemetry, 1, deadLetters, 1).forEach((name, parts) -> {
                if (!existing.contains(name)) {
                    NewTopic topic = new NewTopic(name, parts, (short) 1);
                    topics.add(name.equals(results) ? topic.configs(Map.of("cleanup.policy", "compact")) : topic);
                }
            });
            try {
                admin.createTopics(topics).all().get();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        }
    }
}
