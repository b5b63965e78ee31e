package io.jigsaw.job.cli;

import picocli.CommandLine.Option;

/** {@code --replica-slots}: the job's {@code jigsaw.replica-slots}, for the commands that start the job ({@code demo}, {@code cluster start}). */
final class ReplicaSlotsOption {

    @Bounds(min = 1)
    @Option(names = "--replica-slots", defaultValue = "2", description = "On a MiniCluster: subtasks of each task operator, "
            + "the most replicas a plan can activate. On a local cluster: subtasks of the Kafka, decode, join and assembly "
            + "operators (the CPU TaskManager's slots); each task runs its plan's replica count there (default: ${DEFAULT-VALUE}).")
    int count;
}
