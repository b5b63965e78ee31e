package io.jigsaw.job.cli;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.trace.Trace;
import io.jigsaw.core.trace.TraceFiles;
import io.jigsaw.job.JigsawOptions;
import io.jigsaw.job.demo.EmbeddedDemo;
import io.jigsaw.job.sidecar.PlannerSidecar;
import io.jigsaw.planner.model.PlanningInstance;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "demo", mixinStandardHelpOptions = true,
        header = "Runs the embedded demo: broker, Flink job, planner sidecar, a trace.",
        description = "The embedded default: a KRaft Kafka broker on 127.0.0.1, a Flink MiniCluster with its web dashboard "
                + "running the job, the planner sidecar re-planning from the job's telemetry, and a Poisson trace with a step "
                + "up and back down replayed into 'requests'. The sidecar plans with the graph's profile (the demo's: "
                + "examples/xr-scene/profile-cpu-2t.csv, measured by `bin/jigsaw profile` on a 2-core machine). "
                + "Live progress on stderr; a summary on stdout (--json: one JSON object on the last line). "
                + "Everything it started is stopped at the end, also on Ctrl-C.")
final class DemoCommand implements Callable<Integer> {

    @Mixin
    PlanningOptions planning;

    @Mixin
    PolicyOption policy;

    @Option(names = "--plan", description = "A static plan file (e.g. examples/xr-scene/plan.json) instead of the planner sidecar.")
    Path plan;

    @Bounds(min = 3)
    @Option(names = "--duration", defaultValue = "60", description = "Seconds of trace to replay (default: ${DEFAULT-VALUE}).")
    long durationSeconds;

    @Bounds(min = 0, minExclusive = true)
    @Option(names = "--rate", defaultValue = "8", description = "Requests per second outside the step (default: ${DEFAULT-VALUE}).")
    double rate;

    @Bounds(min = 0, minExclusive = true)
    @Option(names = "--step", defaultValue = "2", description = "Rate multiplier in the middle third (default: ${DEFAULT-VALUE}).")
    double step;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the trace and the frames (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--trace", description = "Any trace instead of the step (a file, or e.g. gamma:rate=8,cv2=4,duration=60,seed=1);"
            + " --duration, --rate and --step then do not apply.")
    String trace;

    @Mixin
    ReplicaSlotsOption replicaSlots;

    @Bounds(min = 0, max = 65535)
    @Option(names = "--web-port", defaultValue = "8081", description = "Flink dashboard port on 127.0.0.1; 0 = any free port (default: ${DEFAULT-VALUE}).")
    int webPort;

    @Bounds(min = 0)
    @Option(names = "--warmup", defaultValue = "8", description = "Requests sent and answered before the trace, not counted (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--delivery", defaultValue = "IDEMPOTENT", converter = DeliveryConverter.class,
            description = "idempotent: each result written at once keyed by request id, a restore may write some again, which "
                    + "the demo's reader (and `results`) drops; exactly_once: results committed at checkpoints, visible once, at "
                    + "the commit; at_least_once: as idempotent with cheaper checkpoints (default: idempotent).")
    JigsawOptions.Delivery delivery;

    @Bounds(min = 10, max = 600_000)
    @Option(names = "--checkpoint-interval", paramLabel = "MS", defaultValue = "2000", description = "Milliseconds between "
            + "checkpoints; under exactly_once also how often results become visible, so give it e.g. 100 there "
            + "(default: ${DEFAULT-VALUE}).")
    long checkpointMs;

    @Option(names = "--chaos", description = "Inject faults while the trace plays: kill a TaskManager at 1/4, kill the planner "
            + "sidecar at 1/2, crash and restart a broker at 3/4 (with --kafka-brokers 3, one of three); the summary counts "
            + "lost, duplicates, restarts, and the requests dropped around each fault.")
    boolean chaos;

    @Bounds(min = 1, max = 5)
    @Option(names = "--kafka-brokers", defaultValue = "1", description = "KRaft brokers to start on 127.0.0.1, each its own JVM; "
            + "with 3 or more, topics are replicated three times with two in sync, so a broker's crash (--chaos) is no outage; "
            + "three brokers cost memory and CPU on a small machine (default: ${DEFAULT-VALUE}).")
    int kafkaBrokers;

    @Option(names = "--accuracy-source", defaultValue = "offline", converter = AccuracySourceConverter.class,
            description = "What the sidecar plans with: offline (each variant's accuracy measured on the test split, accuracy.csv) "
                    + "or measured (once a variant has served 100 scored requests, its accuracy measured live on the replayed "
                    + "scenes' truth) (default: ${DEFAULT-VALUE}).")
    JigsawOptions.AccuracySource accuracySource;

    @Option(names = "--frames", defaultValue = "raw", converter = FramesConverter.class, description = "How the replayed scenes'"
            + " frames travel: raw (the graph's float32 tensor), png or jpeg (a picture the job decodes; JPEG is lossy)"
            + " (default: ${DEFAULT-VALUE}).")
    io.jigsaw.job.client.Frames.Encoding frames;

    /** raw, png or jpeg. */
    static final class FramesConverter implements picocli.CommandLine.ITypeConverter<io.jigsaw.job.client.Frames.Encoding> {
        @Override
        public io.jigsaw.job.client.Frames.Encoding convert(String value) {
            try {
                return io.jigsaw.job.client.Frames.Encoding.valueOf(value.toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException("expected raw, png or jpeg, found '" + value + "'");
            }
        }
    }

    @Option(names = "--no-early-drop", description = "Run every request however late, instead of dropping it at the first "
            + "task that finds it cannot make its deadline: to compare overload behaviour.")
    boolean noEarlyDrop;

    @Option(names = "--cluster", defaultValue = "mini", description = "mini: a Flink MiniCluster in this JVM (default); "
            + "local: a multi-process session cluster on 127.0.0.1 (`bin/jigsaw cluster`), one one-slot TaskManager per "
            + "partition of the plan that runs, running the job jar submitted over REST with every task pinned to its "
            + "partitions and as many subtasks as the plan gives it replicas; with the sidecar, a plan with other partitions "
            + "or replica counts moves the job onto new TaskManagers (stop with a savepoint, resubmit) when that is worth "
            + "its pause, and the summary reports each move (repartitions).")
    String cluster;

    @Mixin
    JsonLine json;

    @Mixin
    AdaptOption adapt;

    /** This command as the CLI runs it: its errors go to the CLI's streams (a new CommandLine would print to System.err). */
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!cluster.equals("mini") && !cluster.equals("local")) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--cluster must be mini or local, found '" + cluster + "'");
        }
        boolean local = cluster.equals("local");
        if (local && chaos) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--chaos runs on the MiniCluster only (it kills TaskManagers through it); drop --cluster local");
        }
        // The default trace: Poisson at --rate, times --step in the middle third.
        Trace t = TraceFiles.open(trace != null ? trace : String.format(Locale.ROOT, "step:rate=%s,factor=%s,at=%d,until=%d,duration=%d,seed=%d",
                rate, step, durationSeconds / 3, 2 * durationSeconds / 3, durationSeconds, seed));
        PlanningInstance sidecarPlans = null;
        if (plan == null) {
            planning.defaultGpus = 1;
            Graph g = planning.loadGraph();
            sidecarPlans = planning.instance(g, planning.loadProfile(g), Math.max(1, t.openingRateRps()), policy.policy());
            // Before anything starts: a commit wait that leaves the graph no time is refused by the sidecar anyway.
            Configuration delivered = new Configuration();
            delivered.set(JigsawOptions.DELIVERY, delivery);
            delivered.set(JigsawOptions.CHECKPOINT_INTERVAL, java.time.Duration.ofMillis(checkpointMs));
            try {
                PlannerSidecar.withinDeliveredSlo(sidecarPlans, delivered);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage()
                        + " (--checkpoint-interval, --delivery)");
            }
            // A cascade without confidences is refused here, with what to do, rather than by the sidecar once the cluster is up.
            try {
                adapt.adapter(g);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
        } else if (adapt.mode() != io.jigsaw.core.plan.AdaptationMode.NONE) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--adapt adds adaptation to the sidecar's plans; "
                    + "a plan file (--plan) is served as it is written: give its tasks a ladder or a cascade there "
                    + "(bin/jigsaw plan --adapt " + adapt.mode().cliName + " --out FILE writes one)");
        }
        EmbeddedDemo.Settings settings = new EmbeddedDemo.Settings(planning.graphFile(), plan, sidecarPlans, planning.timeLimit, t, seed, replicaSlots.count, webPort, JigsawCli.home(), warmup, delivery,
                java.time.Duration.ofMillis(checkpointMs), chaos, !noEarlyDrop, local, accuracySource, adapt.mode(), kafkaBrokers, frames);
        if (chaos && replicaSlots.count < 2) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--chaos needs --replica-slots >= 2 (one TaskManager per slot, one of them is killed)");
        }
        return new EmbeddedDemo(settings, System.err, System.out).run(json.on).lost() == 0 ? 0 : 1;
    }

    /** offline or measured, any case. */
    static final class AccuracySourceConverter implements picocli.CommandLine.ITypeConverter<JigsawOptions.AccuracySource> {
        @Override
        public JigsawOptions.AccuracySource convert(String value) {
            try {
                return JigsawOptions.AccuracySource.valueOf(value.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException("expected offline or measured, found '" + value + "'");
            }
        }
    }

    /** exactly_once, exactly-once, EXACTLY_ONCE alike. */
    static final class DeliveryConverter implements picocli.CommandLine.ITypeConverter<JigsawOptions.Delivery> {
        @Override
        public JigsawOptions.Delivery convert(String value) {
            try {
                return JigsawOptions.Delivery.valueOf(value.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException("expected exactly_once, idempotent or at_least_once, found '" + value + "'");
            }
        }
    }
}
