package io.jigsaw.job;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.plan.Plan;
import io.jigsaw.core.plan.PlanAvro;
import io.jigsaw.job.client.Frames;
import io.jigsaw.job.memory.MemoryIo;
import io.jigsaw.job.topology.JigsawJob;
import io.jigsaw.runtime.DjlVariantRunner;
import io.jigsaw.schemas.AvroBytes;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The job a savepoint fixture is taken from and restored into: the demo graph on in-memory sources and sinks,
 * two replica slots. {@link SavepointFixtureWriter} takes the savepoint with {@link #REQUESTS} requests
 * waiting in the job (no plan has come, so they queue at the detector, deduplicated, their cleanup timers
 * set); {@code SavepointCompatibilityTest} restores it with a plan and expects their answers.
 */
final class SavepointJob {

    /** How many requests the fixture holds, named saved-0 … */
    static final int REQUESTS = 3;
    /** Far ahead (2100-01-01), so the saved requests are still in time whenever the fixture is restored. */
    static final long DEADLINE_MS = 4_102_444_800_000L;

    private SavepointJob() {
    }

    static List<byte[]> requests(Graph graph, long eventTimeMs) {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            out.add(AvroBytes.encode(Frames.scene("saved-" + i, graph.name(), graph.input().orElseThrow(), eventTimeMs,
                    DEADLINE_MS, i)));
        }
        return out;
    }

    static byte[] plan(Plan plan) {
        return AvroBytes.encode(PlanAvro.toAvro(plan));
    }

    /** A local MiniCluster of its own (not the test's shared one), restoring {@code savepoint} when it is not null. */
    static StreamExecutionEnvironment environment(Path savepoint) {
        Configuration flink = new Configuration();
        // A restore that fails fails the job at once, with its reason, instead of restarting into the same failure.
        flink.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        if (savepoint != null) {
            flink.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint.toUri().toString());
        }
        return StreamExecutionEnvironment.createLocalEnvironment(2, flink);
    }

    static void build(StreamExecutionEnvironment env, Graph graph, MemoryIo io) {
        Configuration conf = new Configuration();
        conf.set(JigsawOptions.REPLICA_SLOTS, 2);
        JigsawJob.build(env, graph, conf, DjlVariantRunner.factory(), io);
    }
}
