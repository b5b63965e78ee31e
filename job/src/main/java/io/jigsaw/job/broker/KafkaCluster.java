package io.jigsaw.job.broker;

import io.jigsaw.job.broker.KafkaBroker;
import io.jigsaw.job.kafka.Topics;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One or more real KRaft brokers on 127.0.0.1, each in its own JVM and each also a controller: a single
 * broker (the demo's default), or three, whose topics {@link Topics} then replicates three times with two
 * in sync, so one broker may crash without losing or stopping anything. What the demo starts.
 */
public final class KafkaCluster implements AutoCloseable {

    private final List<KafkaBroker> nodes;

    private KafkaCluster(List<KafkaBroker> nodes) {
        this.nodes = nodes;
    }

    /** {@code size} brokers (1: the single broker in {@code dir} itself; more: {@code dir/node-<id>}); waits until all answer. */
    public static KafkaCluster start(Path dir, int size, Duration timeout) throws IOException, InterruptedException {
        if (size < 1) {
            throw new IllegalArgumentException("a Kafka cluster needs at least one broker, found " + size);
        }
        return new KafkaCluster(size == 1 ? List.of(KafkaBroker.start(dir, timeout)) : KafkaBroker.startNodes(dir, size, timeout));
    }

    public int size() {
        return nodes.size();
    }

    /** Every broker's address: a client finds the cluster through any that is up. */
    public String bootstrap() {
        return nodes.stream().map(KafkaBroker::bootstrap).collect(Collectors.joining(","));
    }

    /** CPU time of all brokers so far. */
    public Duration cpuTime() {
        return nodes.stream().map(KafkaBroker::cpuTime).reduce(Duration.ZERO, Duration::plus);
    }

    /** Crashes broker {@code node} (0-based) as a killed process would, and brings it back on its ports and data. */
    public void crashAndRestart(int node, Duration timeout) throws IOException, InterruptedException {
        nodes.get(node).restart(timeout);
    }

    /** Crashes broker {@code node} (0-based) as a killed process would; {@link #crashAndRestart} brings it back. */
    public void crash(int node) throws InterruptedException {
        nodes.get(node).kill();
    }

    @Override
    public void close() throws InterruptedException {
        for (KafkaBroker b : nodes) {
            b.close();
        }
    }

    /** Stops every broker and deletes their records, keeping their logs ({@link KafkaBroker#discard}). */
    public void discard() throws InterruptedException, IOException {
        for (KafkaBroker b : nodes) {
            b.discard();
        }
    }
}
