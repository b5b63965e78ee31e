package io.jigsaw.job.cli;

import io.jigsaw.planner.model.Policy;
import picocli.CommandLine.Option;

/** {@code --policy} for commands that plan with one policy ({@code capacity} takes several). */
final class PolicyOption {

    @Option(names = "--policy", defaultValue = "jigsaw",
            description = "jigsaw, no-accuracy-scaling, no-partitioning, even-budget, loki, loki-published or loki-literal (default: ${DEFAULT-VALUE}).")
    String name;

    Policy policy() {
        return Policy.fromCli(name);
    }
}
