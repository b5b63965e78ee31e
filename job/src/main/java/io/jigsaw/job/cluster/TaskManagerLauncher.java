package io.jigsaw.job.cluster;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Starts and stops the TaskManager of one partition: a process on this machine ({@link LocalCluster});
 * on Kubernetes a pod with the partition's GPU and MPS share, on YARN a container. The
 * {@link PartitionManager} needs nothing else from a deployment besides its REST API.
 */
public interface TaskManagerLauncher {

    /** Starts it and returns; that it registered is read from the REST API. */
    void start(ClusterLayout.TaskManager taskManager) throws IOException;

    /** Stops it and waits, at most {@code timeout}, until it has ended. */
    void stop(String id, Duration timeout) throws IOException, InterruptedException;

    /** The TaskManagers it started that are still running. */
    List<ClusterLayout.TaskManager> running();

    /** The cluster's REST API. */
    FlinkRest rest() throws IOException;

    /** Where savepoints go: a directory every TaskManager and the JobManager can write (a shared volume beyond one host). */
    Path savepoints();
}
