package io.jigsaw.job.cli;

import picocli.CommandLine.Option;

/** {@code --replica-slots}: the job's {@code jigsaw.replica-slots}, for the commands that start the job ({@code demo}, {@code cluster start}). */
final class ReplicaSlotsOption {

    @Bounds(min = 1)
    @Option(names = "--replica-slots", defaultValue = "2", description = "Subtasks of each task operator, spread over its "
            + "partitions: the most replicas a plan can activate (default: ${DEFAULT-VALUE}).")
    int count;
}
