package io.jigsaw.job.cli;

import io.jigsaw.job.demo.EmbeddedDemo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"The embedded default: a KRaft Kafka broker on 127.0.0.1, a Flink MiniCluster with its web dashboard",
                "running the job, and a Poisson trace with a step up and back down replayed into 'requests'.",
                "Live progress on stderr; a summary on stdout (--json: one JSON object on the last line).",
                "Everything it started is stopped at the end, also on Ctrl-C."})
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--graph", description = "Graph YAML (default: examples/xr-scene/graph.yaml).")
    Path graph;

    @Option(names = "--plan", description = "Static plan seeded into 'plans' (default: examples/xr-scene/plan.json).")
    Path plan;

    @Option(names = "--burst-plan", description = "Plan published at the step up, the first one again at the step down "
            + "(default: examples/xr-scene/plan-burst.json).")
    Path burstPlan;

    @Option(names = "--no-plan-switch", description = "Keep the first plan for the whole run.")
    boolean noPlanSwitch;

    @Option(names = "--duration", defaultValue = "60", description = "Seconds of trace to replay (default: ${DEFAULT-VALUE}).")
    long durationSeconds;

    @Option(names = "--rate", defaultValue = "8", description = "Requests per second outside the step (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--step", defaultValue = "2", description = "Rate multiplier in the middle third (default: ${DEFAULT-VALUE}).")
    double step;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the trace and the frames (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--replica-slots", defaultValue = "2", description = "Parallelism of each task operator (default: ${DEFAULT-VALUE}).")
    int replicaSlots;

    @Option(names = "--web-port", defaultValue = "8081", description = "Flink dashboard port on 127.0.0.1; 0 = any free port (default: ${DEFAULT-VALUE}).")
    int webPort;

    @Option(names = "--warmup", defaultValue = "8", description = "Requests sent and answered before the trace, not counted (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--json", description = "Print the summary as one JSON object on the last stdout line.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (durationSeconds <= 0 || rate <= 0 || step <= 0 || replicaSlots <= 0) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--duration, --rate, --step and --replica-slots must be > 0");
        }
        Path home = JigsawCli.home();
        Path examples = home.resolve("examples/xr-scene");
        EmbeddedDemo.Settings settings = new EmbeddedDemo.Settings(
                graph != null ? graph : examples.resolve("graph.yaml"),
                plan != null ? plan : examples.resolve("plan.json"),
                burstPlan != null ? burstPlan : examples.resolve("plan-burst.json"),
                !noPlanSwitch, rate, step, Duration.ofSeconds(durationSeconds), seed, replicaSlots, webPort,
                home.resolve(".jigsaw/demo"), warmup);
        Object lost = new EmbeddedDemo(settings, System.err, System.out).run(json).get("lost");
        return Long.valueOf(0).equals(lost) ? 0 : 1;
    }
}
