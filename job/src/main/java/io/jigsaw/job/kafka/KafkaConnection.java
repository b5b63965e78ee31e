package io.jigsaw.job.kafka;

import io.jigsaw.core.input.InputException;
import io.jigsaw.job.JigsawOptions;
import org.apache.flink.configuration.Configuration;

import java.io.IOException;
import java.io.Reader;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * How every Kafka client of Jigsaw reaches the cluster: the bootstrap servers, plus the client
 * properties of a secured cluster (SASL, SSL: {@code security.protocol}, {@code sasl.jaas.config},
 * trust stores …) read from a Kafka client properties file. One place, so the job's sources and
 * sinks, the sidecar, the replayer and the CLI all connect alike. The values can be secrets: this
 * class never prints them.
 */
public record KafkaConnection(String bootstrap, Map<String, String> client) implements Serializable {

    public KafkaConnection {
        client = Map.copyOf(client);
    }

    public static KafkaConnection plain(String bootstrap) {
        return new KafkaConnection(bootstrap, Map.of());
    }

    /** The bootstrap servers and, when {@code jigsaw.kafka.client-config} names a file, its properties. */
    public static KafkaConnection from(Configuration conf) {
        return of(conf.get(JigsawOptions.BOOTSTRAP), conf.getOptional(JigsawOptions.KAFKA_CLIENT_CONFIG).map(Path::of).orElse(null));
    }

    /** @param clientConfig a Kafka client properties file, or null for a plain connection */
    public static KafkaConnection of(String bootstrap, Path clientConfig) {
        if (clientConfig == null) {
            return plain(bootstrap);
        }
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(clientConfig)) {
            p.load(in);
        } catch (IOException e) {
            throw new InputException(clientConfig, "", "cannot read the Kafka client properties: " + e.getMessage());
        }
        if (p.containsKey("bootstrap.servers")) {
            throw new InputException(clientConfig, "bootstrap.servers",
                    "give the bootstrap servers with --bootstrap (or jigsaw.kafka.bootstrap-servers), not in the client properties");
        }
        Map<String, String> client = new TreeMap<>();
        p.stringPropertyNames().forEach(k -> client.put(k, p.getProperty(k)));
        return new KafkaConnection(bootstrap, client);
    }

    /** Properties for a Kafka client: the client file's, then {@code bootstrap.servers}. */
    public Properties properties() {
        Properties p = new Properties();
        p.putAll(client);
        p.put("bootstrap.servers", bootstrap);
        return p;
    }

    /** Names the client properties set, never their values (they may hold passwords). */
    @Override
    public String toString() {
        return bootstrap + (client.isEmpty() ? "" : " with client properties " + client.keySet());
    }
}
