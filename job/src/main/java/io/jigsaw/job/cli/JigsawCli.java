package io.jigsaw.job.cli;

import io.jigsaw.core.input.InputException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.nio.file.Path;

/** {@code bin/jigsaw}: one launcher, a subcommand per job (DESIGN.md); each has a true {@code --help}. */
@Command(name = "jigsaw", mixinStandardHelpOptions = true, version = "jigsaw 0.1.0",
        description = "Serving system for compound inference: Kafka -> one Flink operator per task running DJL TensorFlow variants.",
        subcommands = {DemoCommand.class, ModelsCommand.class, ProfileCommand.class, PlanCommand.class, CapacityCommand.class, SimulateCommand.class, ReplayCommand.class, ReportCommand.class, PlannerCommand.class, JobCommand.class, ClusterCommand.class, CommandLine.HelpCommand.class})
public final class JigsawCli {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        return withInputErrors(new CommandLine(new JigsawCli())).execute(args);
    }

    /** Bad input (an {@link InputException} anywhere in the cause chain) as one line and exit code 2. */
    static CommandLine withInputErrors(CommandLine cli) {
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            // Bad input is the user's to fix: one line that says where and what, no stack trace.
            Throwable t = e;
            while (t != null && !(t instanceof InputException)) {
                t = t.getCause();
            }
            if (t != null) {
                cmd.getErr().println("error: " + t.getMessage());
                return 2;
            }
            throw e;
        });
        return cli;
    }

    /** Where the checkout is: bin/jigsaw passes it; relative defaults (examples/, .jigsaw/) hang off it. */
    static Path home() {
        String h = System.getProperty("jigsaw.home", System.getenv().getOrDefault("JIGSAW_HOME", "."));
        return Path.of(h).toAbsolutePath().normalize();
    }
}
