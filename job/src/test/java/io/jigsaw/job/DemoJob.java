package io.jigsaw.job;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.TensorSpec;
import io.jigsaw.core.plan.Plan;
import io.jigsaw.core.plan.PlanFile;
import io.jigsaw.job.kafka.KafkaConnection;
import io.jigsaw.job.kafka.Topics;
import io.jigsaw.job.topology.JigsawJob;
import io.jigsaw.operators.DemoGraph;
import io.jigsaw.runtime.DjlVariantRunner;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The demo graph's job (or another graph's) on the test's MiniCluster against a test broker, its
 * topics created: the setup the job tests share. Closing it cancels the job.
 */
final class DemoJob implements AutoCloseable {

    final Graph graph;
    final TensorSpec spec;
    final Configuration conf;
    final Topics topics;
    private JobClient client;

    private DemoJob(Graph graph, Configuration conf) throws Exception {
        this.graph = graph;
        this.spec = graph.input().orElseThrow();
        this.conf = conf;
        topics = Topics.from(conf);
        topics.create(KafkaConnection.from(conf), conf.get(JigsawOptions.REPLICA_SLOTS));
    }

    /** With two replica slots and the default topics on the broker at {@code bootstrap}. */
    static DemoJob start(String bootstrap, String name) throws Exception {
        Configuration conf = new Configuration();
        conf.set(JigsawOptions.BOOTSTRAP, bootstrap);
        conf.set(JigsawOptions.REPLICA_SLOTS, 2);
        return start(conf, name);
    }

    /** With the job options in {@code conf} (broker, topics, delivery …). */
    static DemoJob start(Configuration conf, String name) throws Exception {
        return start(DemoGraph.load(), conf, name);
    }

    /** Another graph's job (its models built), with the job options in {@code conf}. */
    static DemoJob start(Graph graph, Configuration conf, String name) throws Exception {
        DemoJob job = new DemoJob(graph, conf);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        JigsawJob.build(env, job.graph, job.conf, DjlVariantRunner.factory());
        job.client = env.executeAsync(name);
        return job;
    }

    org.apache.flink.api.common.JobID jobId() {
        return client.getJobID();
    }

    /** The job's options with topics of their own (named after the test), so tests on one broker do not read each other's records. */
    static Configuration isolated(String bootstrap, String name) {
        Configuration conf = new Configuration();
        conf.set(JigsawOptions.BOOTSTRAP, bootstrap);
        conf.set(JigsawOptions.GROUP_ID, name);
        conf.set(JigsawOptions.TOPIC_REQUESTS, name + "-requests");
        conf.set(JigsawOptions.TOPIC_RESULTS, name + "-results");
        conf.set(JigsawOptions.TOPIC_PLANS, name + "-plans");
        conf.set(JigsawOptions.TOPIC_TELEMETRY, name + "-telemetry");
        conf.set(JigsawOptions.TOPIC_DEAD_LETTERS, name + "-dead-letters");
        conf.set(JigsawOptions.REPLICA_SLOTS, 2);
        return conf;
    }

    /** examples/xr-scene/plan.json: the static plan the tests serve under. */
    static Plan staticPlan() {
        return PlanFile.read(Path.of(System.getProperty("jigsaw.examples.dir"), "xr-scene", "plan.json"));
    }

    @Override
    public void close() throws Exception {
        client.cancel().get(60, TimeUnit.SECONDS);
    }
}
