package io.jigsaw.job.cli;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.GraphLoader;
import io.jigsaw.core.trace.Trace;
import io.jigsaw.core.trace.TraceFiles;
import io.jigsaw.job.JigsawOptions;
import io.jigsaw.job.kafka.AvroProducer;
import io.jigsaw.job.replay.TraceReplayer;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;

@Command(name = "replay", mixinStandardHelpOptions = true,
        header = "Publishes a trace to a Kafka requests topic at its times.",
        description = "Publishes a trace into a Kafka requests topic at its recorded times, on any broker: one Avro Request per "
                + "arrival with a synthetic frame shaped as its graph's input and deadline = send time + the graph's latency SLO. "
                + "Progress bar on stderr; Ctrl-C stops after the record in hand (what was sent is flushed).")
final class ReplayCommand implements Callable<Integer> {

    @picocli.CommandLine.Mixin
    KafkaClientOption kafka;

    @Option(names = "--trace", required = true, description = "Trace file (timestamp_ms[,graph] CSV or Azure-style per-minute counts)"
            + " or a synthetic spec, e.g. poisson:rate=20,duration=60,seed=1.")
    String trace;

    @Option(names = "--graph", description = "Graph YAML of the requests; repeat for a mix (default: the demo graph).")
    List<Path> graphFiles = new ArrayList<>();

    @Bounds(min = 0)
    @Option(names = "--mix", split = ",", description = "Weights of the --graph files for a trace without a graph column (default: equal).")
    List<Double> mix = new ArrayList<>();

    @picocli.CommandLine.Mixin
    TopicOption topic;

    @Bounds(min = 0, minExclusive = true)
    @Option(names = "--speed", defaultValue = "1", description = "Replay speed factor: 2 = twice as fast (default: ${DEFAULT-VALUE}).")
    double speed;

    @Bounds(min = 1)
    @Option(names = "--loop", defaultValue = "1", description = "Times to replay the trace (default: ${DEFAULT-VALUE}).")
    int loops;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of frames and graph draws (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--id-prefix", defaultValue = "replay-", description = "Request ids are this + a sequence number (default: ${DEFAULT-VALUE}).")
    String idPrefix;

    @Option(names = "--scenes", description = "Send the synthetic XR scenes the demo's variants were trained on, each with its "
            + "truth (labels, boxes, distances), so every answer is scored; for graphs that take 64x64x3 frames (others get noise).")
    boolean scenes;

    @Override
    public Integer call() throws Exception {
        List<Path> files = graphFiles.isEmpty() ? List.of(JigsawCli.demoGraph()) : graphFiles;
        if (!mix.isEmpty() && mix.size() != files.size()) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--mix needs one weight per --graph (" + files.size() + ")");
        }
        List<Graph> graphs = files.stream().map(GraphLoader::load).toList();
        double[] weights = mix.isEmpty() ? graphs.stream().mapToDouble(g -> 1).toArray() : mix.stream().mapToDouble(Double::doubleValue).toArray();
        Trace t = TraceFiles.open(trace);
        String to = topic.orJobs(JigsawOptions.TOPIC_REQUESTS);
        System.err.printf("[replay] %s -> '%s' at %s, speed x%s, %d loop(s)%n", t, to, kafka.connection(), speed, loops);
        AtomicBoolean stop = new AtomicBoolean();
        Thread main = Thread.currentThread();
        Thread hook = new Thread(() -> {
            stop.set(true);
            try {
                main.join(5_000);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }, "replay-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        long sent;
        try (AvroProducer producer = new AvroProducer(kafka.connection());
             ProgressBar bar = Progress.bar("replay", (long) t.size() * loops)) {
            sent = new TraceReplayer(producer, to, graphs, weights, idPrefix, scenes)
                    .replay(t, speed, loops, seed, stop::get, (n, total) -> bar.stepTo(n));
        }
        System.err.printf("[replay] sent %d request(s)%n", sent);
        if (!stop.get()) {
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        return 0;
    }
}
