package io.jigsaw.job.cluster;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;

/** What a Flink cluster run inside this JVM (the demo's, the benchmarks') needs beside Flink's defaults. */
public final class InProcessCluster {

    private InProcessCluster() {
    }

    /**
     * Checkpoints on disk under {@code dir}, as flink-conf/config.yaml has them for clusters: in the
     * JobManager's memory (Flink's default without a config file) a checkpoint is refused above 5 MB,
     * which pieces queued behind a burst or before the first plan (48 KiB frames) can pass, and a job
     * whose checkpoints keep failing restarts and queues the same backlog again.
     */
    public static Configuration checkpointsOnDisk(Configuration flink, Path dir) {
        flink.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        flink.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, dir.toUri().toString());
        return flink;
    }

    /**
     * Every endpoint of a cluster run in this JVM on 127.0.0.1: the REST API and dashboard, the blob
     * server (it binds to {@code jobmanager.bind-host}, all interfaces by default, and serves job jars
     * to whoever asks), RPC and the TaskManagers' data ports. Nothing of the demo is for other hosts.
     */
    public static Configuration loopbackOnly(Configuration flink) {
        flink.set(RestOptions.BIND_ADDRESS, LOOPBACK);
        flink.set(RestOptions.ADDRESS, LOOPBACK);
        flink.set(JobManagerOptions.ADDRESS, LOOPBACK);
        flink.set(JobManagerOptions.BIND_HOST, LOOPBACK);
        flink.set(TaskManagerOptions.HOST, LOOPBACK);
        flink.set(TaskManagerOptions.BIND_HOST, LOOPBACK);
        return flink;
    }

    private static final String LOOPBACK = "127.0.0.1";

    /** CPU time this JVM has used so far: the cluster, its clients and whatever else runs here. */
    public static long jvmCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
