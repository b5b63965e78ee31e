package io.jigsaw.job.replay;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.TensorSpec;
import io.jigsaw.core.input.InputException;
import io.jigsaw.core.trace.Trace;
import io.jigsaw.job.client.Frames;
import io.jigsaw.job.kafka.AvroProducer;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * Publishes a trace into a requests topic at its recorded times (scaled by a speed factor, looped if
 * asked): one Avro {@code Request} per arrival, a synthetic frame shaped as its graph's input, event
 * time = when it was sent, deadline = event time + the graph's latency SLO. Which graph a request is
 * for: the trace's graph column, or else a seeded draw by the mix weights.
 */
public final class TraceReplayer {

    /** What has been sent, for a progress line. */
    public interface Progress {
        void sent(long count, long total);
    }

    private final AvroProducer producer;
    private final String topic;
    private final List<Graph> graphs;
    private final double[] mix;
    private final Map<String, Graph> byName = new HashMap<>();
    private final String idPrefix;
    private final boolean scenes;
    private Frames.Encoding encoding = Frames.Encoding.RAW;

    /**
     * @param mix weight per graph (same order) for traces without a graph column
     * @param idPrefix request ids are prefix + sequence number, so two replays can be told apart
     */
    public TraceReplayer(AvroProducer producer, String topic, List<Graph> graphs, double[] mix, String idPrefix) {
        this(producer, topic, graphs, mix, idPrefix, false);
    }

    /** @param scenes send synthetic XR scenes with their truth (to graphs that take 64×64×3 frames) instead of noise */
    public TraceReplayer(AvroProducer producer, String topic, List<Graph> graphs, double[] mix, String idPrefix, boolean scenes) {
        this.scenes = scenes;
        if (graphs.isEmpty() || mix.length != graphs.size()) {
            throw new IllegalArgumentException("one mix weight per graph");
        }
        this.producer = producer;
        this.topic = topic;
        this.graphs = List.copyOf(graphs);
        this.mix = mix.clone();
        this.idPrefix = idPrefix;
        graphs.forEach(g -> byName.put(g.name(), g));
    }

    /** Scenes' frames sent as pictures for the job to decode (PNG, JPEG) instead of tensors (RAW, the default). */
    public TraceReplayer withFrames(Frames.Encoding frames) {
        this.encoding = frames;
        return this;
    }

    /**
     * Blocks until the trace has been sent {@code loops} times or {@code stop} says so.
     *
     * @param speed 2 = twice as fast as recorded
     * @return requests sent
     */
    public long replay(Trace trace, double speed, int loops, long seed, BooleanSupplier stop, Progress progress)
            throws InterruptedException {
        if (!(speed > 0) || loops < 1) {
            throw new IllegalArgumentException("speed must be > 0 and loops >= 1");
        }
        SplittableRandom random = new SplittableRandom(seed);
        long total = (long) trace.size() * loops;
        long sent = 0;
        // A loop starts where the last one ended, plus the mean gap, so looping keeps the trace's rate.
        double loopMs = trace.durationMs() + (trace.size() > 1 ? trace.durationMs() / (trace.size() - 1) : 1000);
        long start = System.nanoTime();
        long reported = start;
        for (int loop = 0; loop < loops; loop++) {
            for (int i = 0; i < trace.size(); i++) {
                if (stop.getAsBoolean()) {
                    producer.flush();
                    return sent;
                }
                double atMs = (loop * loopMs + trace.atMs()[i]) / speed;
                long waitNanos = start + (long) (atMs * 1e6) - System.nanoTime();
                if (waitNanos > 0) {
                    Thread.sleep(waitNanos / 1_000_000, (int) (waitNanos % 1_000_000));
                }
                Graph g = graphFor(trace, i, random);
                TensorSpec spec = g.input().orElseThrow(() -> new IllegalArgumentException(
                        "graph " + g.name() + " has no input spec; replay needs it to shape frames"));
                long now = System.currentTimeMillis();
                String id = idPrefix + sent;
                long frameSeed = seed * 1_000_003 + sent;
                producer.send(topic, id, scenes && Frames.scenesFit(spec)
                        ? Frames.scene(id, g.name(), spec, now, now + (long) g.latencySloMs(), frameSeed, encoding)
                        : Frames.request(id, g.name(), spec, now, now + (long) g.latencySloMs(), frameSeed));
                sent++;
                // Every 64 requests at high rates, at least every 100 ms at low ones (a progress line must not lag).
                long t = System.nanoTime();
                if ((sent & 63) == 0 || sent == total || t - reported > 100_000_000) {
                    progress.sent(sent, total);
                    reported = t;
                }
            }
        }
        producer.flush();
        return sent;
    }

    private Graph graphFor(Trace trace, int i, SplittableRandom random) {
        if (trace.graphs() != null) {
            String name = trace.graphs()[i];
            Graph g = byName.get(name);
            if (g == null) {
                throw new InputException(trace.source(), "arrival " + (i + 1), "graph '" + name + "' is not one of the graphs given "
                        + byName.keySet(), null);
            }
            return g;
        }
        if (graphs.size() == 1) {
            return graphs.get(0);
        }
        double total = 0;
        for (double w : mix) {
            total += w;
        }
        double u = random.nextDouble() * total;
        for (int k = 0; k < mix.length; k++) {
            u -= mix[k];
            if (u < 0) {
                return graphs.get(k);
            }
        }
        return graphs.get(graphs.size() - 1);
    }
}
