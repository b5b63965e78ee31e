package io.jigsaw.bench;

import io.jigsaw.job.cluster.InProcessCluster;
import io.jigsaw.job.kafka.TopicReader;
import io.jigsaw.schemas.Result;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** What the benchmarks that run the job share: its in-process cluster and reading its results. */
final class BenchJob {

    private BenchJob() {
    }

    /** A benchmark's body. */
    interface Body {
        void run() throws Exception;
    }

    /**
     * Runs a benchmark that starts the job and exits the JVM when it ends, 1 on a failure: the MiniCluster's
     * and Kafka clients' threads are not daemons, so a benchmark that failed would otherwise never end.
     */
    static void runAndExit(Body body) {
        int status = 1;
        try {
            body.run();
            status = 0;
        } catch (Throwable t) {
            t.printStackTrace();
        } finally {
            System.exit(status);
        }
    }

    /** A local MiniCluster environment with {@code slots} slots and parallelism, checkpointing on disk under {@code work}. */
    static StreamExecutionEnvironment environment(int slots, Path work) {
        Configuration flink = InProcessCluster.checkpointsOnDisk(new Configuration(), work.resolve("checkpoints"));
        flink.set(TaskManagerOptions.NUM_TASK_SLOTS, slots);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
        env.setParallelism(slots);
        return env;
    }

    /** The next {@code n} results, or an error naming how many came within the time. */
    static List<Result> collect(TopicReader<Result> results, int n, long timeoutMs) {
        List<Result> got = new ArrayList<>();
        long until = System.currentTimeMillis() + timeoutMs;
        while (got.size() < n && System.currentTimeMillis() < until) {
            got.addAll(results.poll(Duration.ofMillis(20)));
        }
        if (got.size() < n) {
            throw new IllegalStateException("only " + got.size() + " of " + n + " results within " + timeoutMs + " ms");
        }
        return got;
    }
}
