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
public record Topics(String requests, String results, String plans, String telemetry, String deadLetters, String resultsJson,
        boolean requestsLogAppendTime) {

    public static Topics from(Configuration conf) {
        return new Topics(conf.get(JigsawOptions.TOPIC_REQUESTS), conf.get(JigsawOptions.TOPIC_RESULTS),
                conf.get(JigsawOptions.TOPIC_PLANS), conf.get(JigsawOptions.TOPIC_TELEMETRY),
                conf.get(JigsawOptions.TOPIC_DEAD_LETTERS), conf.get(JigsawOptions.TOPIC_RESULTS_JSON),
                conf.get(JigsawOptions.REQUEST_CLOCK) == io.jigsaw.operators.RequestClock.LOG_APPEND_TIME);
    }

    /** Whether the job mirrors its results as JSON ({@link JigsawOptions#TOPIC_RESULTS_JSON}). */
    public boolean mirrorsResultsAsJson() {
        return !resultsJson.isBlank();
    }

    /**
     * Creates any that do not exist; requests get one partition per replica slot so the source can spread.
     * Results are keyed by request id and compacted: a result written again after a restore (idempotent
     * delivery) replaces the first, so the topic keeps one answer per request.
     */
    /** Replicas of each topic on a cluster of {@code brokers}: three where there are three, else one per broker. */
    public static int replicationFactor(int brokers) {
        return Math.min(3, Math.max(1, brokers));
    }

    /** Replicas that must have a write before it counts (acks=all): two of three, so one broker may be down. */
    public static int minInSyncReplicas(int brokers) {
        return replicationFactor(brokers) >= 3 ? 2 : 1;
    }

    public void create(String bootstrap, int requestPartitions) throws InterruptedException, ExecutionException {
        create(KafkaConnection.plain(bootstrap), requestPartitions);
    }

    public void create(KafkaConnection kafka, int requestPartitions) throws InterruptedException, ExecutionException {
        try (Admin admin = Admin.create(kafka.properties())) {
            Set<String> existing = admin.listTopics().names().get();
            // Replicated as far as the cluster allows: with three brokers or more, a broker's crash loses nothing and
            // stops nothing (acks=all with two replicas in sync).
            int brokers = admin.describeCluster().nodes().get().size();
            short rf = (short) replicationFactor(brokers);
            String minIsr = String.valueOf(minInSyncReplicas(brokers));
            List<NewTopic> topics = new ArrayList<>();
            Map<String, Integer> wanted = new java.util.HashMap<>(Map.of(requests, requestPartitions, results, 1, plans, 1, telemetry, 1,
                    deadLetters, 1));
            if (mirrorsResultsAsJson()) {
                wanted.put(resultsJson, 1);
            }
            wanted.forEach((name, parts) -> {
                if (!existing.contains(name)) {
                    Map<String, String> configs = new java.util.HashMap<>(Map.of("min.insync.replicas", minIsr));
                    if (name.equals(requests) && requestsLogAppendTime) {
                        // The broker stamps each request with its own clock (jigsaw.requests.clock=LOG_APPEND_TIME).
                        configs.put("message.timestamp.type", "LogAppendTime");
                    }
                    if (name.equals(results) || name.equals(resultsJson)) {
                        configs.put("cleanup.policy", "compact");
                    }
                    topics.add(new NewTopic(name, parts, rf).configs(configs));
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
