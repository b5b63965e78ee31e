package io.jigsaw.job.cli;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.job.JigsawOptions;
import io.jigsaw.job.kafka.KafkaConnection;
import io.jigsaw.job.sidecar.PlannerSidecar;
import io.jigsaw.planner.model.PlanningInstance;
import io.jigsaw.planner.model.Policy;
import io.jigsaw.planner.profile.Profile;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

@Command(name = "planner", mixinStandardHelpOptions = true,
        header = "Runs the planner sidecar: telemetry in, plans out, over Kafka.",
        description = "The planner sidecar as its own process: reads the graph's root-task 'telemetry', smooths the demand, "
                + "and publishes a new plan to 'plans' when the demand leaves the plan in force's safe band "
                + "(planned for estimate x (1 + headroom); up at once when half the headroom is used, down after a cool-down "
                + "when a new plan would be much smaller). When no plan serves the demand it publishes the plan for the most "
                + "demand that fits (best effort); when nothing better fits, it says so on 'plans' and keeps the plan in force. "
                + "The job does not depend on it: stop it and the operators serve on with the last plan. "
                + "Runs until Ctrl-C. Tuning: -Djigsaw.planner.* (docs/planning.md); --time-limit bounds each re-plan.")
final class PlannerCommand implements Callable<Integer> {

    @Mixin
    PlanningOptions options;

    @Mixin
    KafkaClientOption kafka;

    @Mixin
    PolicyOption policy;

    @Bounds(min = 0, minExclusive = true)
    @Option(names = "--initial-demand", description = "Req/s the first plan is made for when no plan is in force (default: 1).")
    Double initialDemand;

    @Mixin
    ConfigurationOption settings;

    @Override
    public Integer call() throws Exception {
        Configuration conf = settings.toConfiguration();
        kafka.applyTo(conf);
        conf.set(JigsawOptions.PLANNER_SOLVE_LIMIT, options.timeLimit);
        if (initialDemand != null) {
            conf.set(JigsawOptions.PLANNER_INITIAL_DEMAND, initialDemand);
        }
        Graph graph = options.loadGraph();
        Profile profile = options.loadProfile(graph);
        PlanningInstance template = options.instance(graph, profile, conf.get(JigsawOptions.PLANNER_INITIAL_DEMAND),
                policy.policy());
        PlannerSidecar sidecar = new PlannerSidecar(template, conf, line -> System.err.println("[planner] " + line));
        Runtime.getRuntime().addShutdownHook(new Thread(sidecar::close, "planner-shutdown"));
        System.err.println("[planner] " + graph.name() + ": policy " + policy.name + " on " + options.gpus() + " GPU(s), device "
                + profile.device() + ", telemetry from '" + conf.get(JigsawOptions.TOPIC_TELEMETRY) + "' at "
                + KafkaConnection.from(conf));
        sidecar.run();
        return 0;
    }
}
