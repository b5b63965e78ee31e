package io.jigsaw.job.broker;

import io.jigsaw.core.io.Directories;
import io.jigsaw.job.LoopbackPorts;
import io.jigsaw.job.kafka.KafkaConnection;
import io.jigsaw.job.kafka.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A real KRaft Kafka broker (broker and controller in one; alone, or a node of a {@link KafkaCluster}), started from the Kafka jars
 * on our classpath in its own JVM and bound to 127.0.0.1 only. Its own process, not in-process,
 * so it can be killed and restarted like a real broker, and its logging and threads stay out of
 * the Flink JVM. Used by the demo and the integration tests; never a mock.
 */
public final class KafkaBroker implements AutoCloseable {

    private final Path dir;
    private final int port;
    private final int controllerPort;
    private Process process;
    /** SASL/PLAIN user and password its clients log in with; null: a plaintext listener without login. */
    private final String[] saslUser;
    /** Its place in a cluster: node id (1-based), the controller quorum, the cluster id, the cluster's size. */
    private final int nodeId;
    private final String voters;
    private final String clusterId;
    private final int clusterSize;

    private KafkaBroker(Path dir, int port, int controllerPort, String[] saslUser) {
        this(dir, port, controllerPort, saslUser, 1, "1@127.0.0.1:" + controllerPort, newClusterId(), 1);
    }

    private KafkaBroker(Path dir, int port, int controllerPort, String[] saslUser, int nodeId, String voters, String clusterId,
            int clusterSize) {
        this.dir = dir;
        this.port = port;
        this.controllerPort = controllerPort;
        this.saslUser = saslUser;
        this.nodeId = nodeId;
        this.voters = voters;
        this.clusterId = clusterId;
        this.clusterSize = clusterSize;
    }

    private static String newClusterId() {
        return UUID.randomUUID().toString().replace("-", "").substring(0, 22);
    }

    /**
     * {@code size} brokers, each also a controller of one KRaft quorum, in their own JVMs under
     * {@code dir/node-<id>}: internal topics replicated {@code min(3, size)} times; waits until all answer.
     */
    static List<KafkaBroker> startNodes(Path dir, int size, Duration timeout) throws IOException, InterruptedException {
        int[] ports = new int[size];
        int[] controllerPorts = new int[size];
        List<String> voters = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            ports[i] = LoopbackPorts.free();
            controllerPorts[i] = LoopbackPorts.free();
            voters.add((i + 1) + "@127.0.0.1:" + controllerPorts[i]);
        }
        String clusterId = newClusterId();
        List<KafkaBroker> nodes = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            nodes.add(new KafkaBroker(dir.resolve("node-" + (i + 1)), ports[i], controllerPorts[i], null, i + 1,
                    String.join(",", voters), clusterId, size));
        }
        try {
            for (KafkaBroker b : nodes) {
                b.format();
            }
            // Launched together: a controller quorum needs a majority of its voters up before anyone answers.
            for (KafkaBroker b : nodes) {
                b.launch();
            }
            for (KafkaBroker b : nodes) {
                b.awaitReady(timeout);
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            for (KafkaBroker b : nodes) {
                b.close();
            }
            throw e;
        }
        return nodes;
    }

    /** Formats a fresh log dir under {@code dir} and starts the broker on free ports; waits until it answers. */
    public static KafkaBroker start(Path dir, Duration timeout) throws IOException, InterruptedException {
        return start(new KafkaBroker(dir, LoopbackPorts.free(), LoopbackPorts.free(), null), timeout);
    }

    /**
     * A broker whose client listener requires SASL/PLAIN login as {@code user}: a secured cluster to test
     * {@code --kafka-config} against. {@link #connection()} holds the client properties that log in.
     */
    public static KafkaBroker startWithSasl(Path dir, Duration timeout, String user, String password)
            throws IOException, InterruptedException {
        return start(new KafkaBroker(dir, LoopbackPorts.free(), LoopbackPorts.free(), new String[] {user, password}), timeout);
    }

    private static KafkaBroker start(KafkaBroker b, Duration timeout) throws IOException, InterruptedException {
        b.format();
        b.launch();
        b.awaitReady(timeout);
        return b;
    }

    public String bootstrap() {
        return "127.0.0.1:" + port;
    }

    /** How a client reaches it: plain, or with the SASL login of {@link #startWithSasl}. */
    public KafkaConnection connection() {
        if (saslUser == null) {
            return KafkaConnection.plain(bootstrap());
        }
        return new KafkaConnection(bootstrap(), java.util.Map.of(
                "security.protocol", "SASL_PLAINTEXT",
                "sasl.mechanism", "PLAIN",
                "sasl.jaas.config", plainLogin(saslUser[0], saslUser[1])));
    }

    public static String plainLogin(String user, String password) {
        return "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + user + "\" password=\""
                + password + "\";";
    }

    public Path logFile() {
        return dir.resolve("broker.log");
    }

    private Path config() throws IOException {
        Files.createDirectories(dir);
        Path props = dir.resolve("server.properties");
        String listener = saslUser == null ? "PLAINTEXT" : "SASL_PLAINTEXT";
        Files.writeString(props, String.join("\n",
                "process.roles=broker,controller",
                "node.id=" + nodeId,
                "controller.quorum.voters=" + voters,
                "listeners=" + listener + "://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=" + listener + "://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=" + listener + ":" + listener + ",CONTROLLER:PLAINTEXT",
                "inter.broker.listener.name=" + listener,
                saslUser == null ? "" : String.join("\n",
                        "sasl.enabled.mechanisms=PLAIN",
                        "sasl.mechanism.inter.broker.protocol=PLAIN",
                        // The broker's own login and the one user it accepts besides itself.
                        "listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule "
                                + "required username=\"broker\" password=\"broker-secret\" user_broker=\"broker-secret\" user_"
                                + saslUser[0] + "=\"" + saslUser[1] + "\";"),
                "log.dirs=" + dir.resolve("data"),
                "num.partitions=1",
                "offsets.topic.replication.factor=" + Topics.replicationFactor(clusterSize),
                "offsets.topic.num.partitions=4",
                "transaction.state.log.replication.factor=" + Topics.replicationFactor(clusterSize),
                "transaction.state.log.min.isr=" + Topics.minInSyncReplicas(clusterSize),
                "transaction.state.log.num.partitions=4",
                "share.coordinator.state.topic.replication.factor=" + Topics.replicationFactor(clusterSize),
                "share.coordinator.state.topic.min.isr=" + Topics.minInSyncReplicas(clusterSize),
                // In a cluster, a crashed broker is fenced after 1 s: then its partitions' leadership moves and it leaves
                // every ISR. Until then each write with acks=all waits for it (it is in every ISR: replication factor 3);
                // Kafka's default of 9 s stalled producers that long. On one host, heartbeats every 200 ms are cheap.
                // Measured in the chaos demo: 3 s of session gave 31-33 requests dropped around the crash, 1 s 10-31.
                clusterSize == 1 ? "" : "broker.heartbeat.interval.ms=200\nbroker.session.timeout.ms=1000",
                "group.initial.rebalance.delay.ms=0",
                "auto.create.topics.enable=false",
                "") );
        return props;
    }

    private List<String> java(String mainClass) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx512m");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-Dlog4j2.configurationFile=" + log4jConfig());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        return cmd;
    }

    private String log4jConfig() {
        Path p = dir.resolve("log4j2.properties");
        try {
            Files.writeString(p, String.join("\n",
                    "rootLogger.level = WARN",
                    "rootLogger.appenderRef.file.ref = file",
                    "appender.file.type = File",
                    "appender.file.name = file",
                    "appender.file.fileName = " + logFile(),
                    "appender.file.layout.type = PatternLayout",
                    "appender.file.layout.pattern = %d %-5p %c{1} - %m%n",
                    ""));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return p.toString();
    }

    private void format() throws IOException, InterruptedException {
        Path props = config();
        List<String> cmd = java("kafka.tools.StorageTool");
        cmd.addAll(List.of("format", "-t", clusterId, "-c", props.toString(),
                "--ignore-formatted"));
        Process format = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("format.log").toFile())).start();
        if (!format.waitFor(120, TimeUnit.SECONDS) || format.exitValue() != 0) {
            format.destroyForcibly();
            throw new IOException("formatting the Kafka log dir failed; see " + dir.resolve("format.log"));
        }
    }

    private void launch() throws IOException {
        List<String> cmd = java("kafka.Kafka");
        cmd.add(dir.resolve("server.properties").toString());
        process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("broker.out").toFile())).start();
    }

    private void awaitReady(Duration timeout) throws IOException, InterruptedException {
        long until = System.nanoTime() + timeout.toNanos();
        Properties p = connection().properties();
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000);
        while (System.nanoTime() < until) {
            if (!process.isAlive()) {
                throw new IOException("the Kafka broker exited with " + process.exitValue() + "; see " + dir.resolve("broker.out"));
            }
            try (Admin admin = Admin.create(p)) {
                if (admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).size() >= clusterSize) {
                    return;
                }
                Thread.sleep(500);
            } catch (Exception notYet) {
                Thread.sleep(500);
            }
        }
        close();
        throw new IOException("the Kafka broker did not answer on " + bootstrap() + " within " + timeout + "; see "
                + dir.resolve("broker.out"));
    }

    /** CPU time the broker process has used so far (zero where the OS does not say). */
    public Duration cpuTime() {
        return process == null ? Duration.ZERO : process.info().totalCpuDuration().orElse(Duration.ZERO);
    }

    /** Kills the broker as a crash would (for failure tests); {@link #restart} brings it back on the same ports and data. */
    public void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    public void restart(Duration timeout) throws IOException, InterruptedException {
        kill();
        launch();
        awaitReady(timeout);
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * Stops the broker and deletes its records (the log dirs), keeping its own logs and settings: for a
     * throwaway broker, the demo's or a benchmark's, whose topics nobody reads once it stops. Each run formats
     * a fresh one, so without this every demo run left its records behind (hundreds of MB each).
     */
    public void discard() throws InterruptedException, IOException {
        close();
        Directories.deleteTree(dir.resolve("data"));
    }
}
