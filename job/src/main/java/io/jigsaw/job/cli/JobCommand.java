package io.jigsaw.job.cli;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.GraphLoader;
import io.jigsaw.core.plan.Plan;
import io.jigsaw.core.plan.PlanAvro;
import io.jigsaw.core.plan.PlanFile;
import io.jigsaw.core.plan.PlanValidator;
import io.jigsaw.job.JigsawOptions;
import io.jigsaw.job.kafka.AvroProducer;
import io.jigsaw.job.kafka.KafkaConnection;
import io.jigsaw.job.kafka.Topics;
import io.jigsaw.job.topology.JigsawJob;
import io.jigsaw.runtime.DjlVariantRunner;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "job", mixinStandardHelpOptions = true,
        header = "Runs the Flink job (the entry point of flink run and REST runs).",
        description = "The Flink job's entry point. Under `flink run` it is submitted to that cluster; run directly it "
                + "starts a local Flink environment. Reads 'requests' and 'plans' from your Kafka, writes 'results', "
                + "'telemetry' and 'dead-letters'. Every TaskManager must see the graph's models_dir.")
final class JobCommand implements Callable<Integer> {

    // Options alike across commands are shared as mixins (PlanningOptions, PolicyOption, JsonLine, KafkaClientOption,
    // ConfigurationOption); the fields left of the same shape are per-command declarations, not repeated logic.

    @Option(names = "--graph", required = true, description = "Graph YAML.")
    Path graph;

    @Option(names = "--plan", description = "Static plan file published to 'plans' before the job starts (until a planner publishes).")
    Path plan;

    @Option(names = "--models-dir", description = "Overrides the graph's models_dir.")
    Path modelsDir;

    @Option(names = "--create-topics", description = "Create the five topics if missing.")
    boolean createTopics;

    @picocli.CommandLine.Mixin
    KafkaClientOption kafka;

    @picocli.CommandLine.Mixin
    ConfigurationOption options;

    @Override
    public Integer call() throws Exception {
        Configuration conf = options.toConfiguration();
        kafka.applyTo(conf);
        Graph g = GraphLoader.load(graph);
        if (conf.getOptional(JigsawOptions.LATENCY_SLO_MS).isPresent()) {
            g = g.withLatencySlo(conf.get(JigsawOptions.LATENCY_SLO_MS));
        }
        if (modelsDir != null) {
            g = g.withModelsDir(modelsDir.toAbsolutePath().toString());
        } else if (conf.getOptional(JigsawOptions.MODELS_DIR).isPresent()) {
            g = g.withModelsDir(conf.get(JigsawOptions.MODELS_DIR));
        }
        Topics topics = Topics.from(conf);
        if (createTopics) {
            topics.create(KafkaConnection.from(conf), conf.get(JigsawOptions.REPLICA_SLOTS));
        }
        if (plan != null) {
            Plan p = PlanValidator.requireValid(PlanFile.read(plan), g, plan);
            try (AvroProducer producer = new AvroProducer(KafkaConnection.from(conf))) {
                producer.send(topics.plans(), p.graph(), PlanAvro.toAvro(p)).get();
            }
            System.err.println("published plan v" + p.version() + " from " + plan + " to '" + topics.plans() + "'");
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        JigsawJob.build(env, g, conf, DjlVariantRunner.factory());
        env.execute("jigsaw: " + g.name());
        return 0;
    }
}
