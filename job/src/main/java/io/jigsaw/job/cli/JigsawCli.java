package io.jigsaw.job.cli;

import io.jigsaw.core.input.InputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help.Ansi.Text;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine;

import java.nio.file.Path;
import java.util.Arrays;

/** {@code bin/jigsaw}: one launcher, a subcommand per job (DESIGN.md); each has a true {@code --help}. */
@Command(name = "jigsaw", mixinStandardHelpOptions = true, version = "jigsaw 0.1.0",
        description = "Serving system for compound inference: Kafka -> one Flink operator per task running DJL TensorFlow variants.",
        subcommands = {DemoCommand.class, ModelsCommand.class, ProfileCommand.class, PlanCommand.class, CapacityCommand.class, SimulateCommand.class, ReplayCommand.class, TraceCommand.class, SendCommand.class, ResultsCommand.class, ReportCommand.class, PlannerCommand.class, JobCommand.class, ClusterCommand.class, CommandLine.HelpCommand.class})
public final class JigsawCli {

    static final String DEBUG = "--debug";

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        return configure(new CommandLine(new JigsawCli())).execute(args);
    }

    /**
     * How every command meets its user: option ranges checked before any work and shown in --help; a bad
     * option value or bad input file is one {@code error:} line and exit 2; any other failure one
     * {@code error:} line and exit 1. The stack trace only with {@code --debug}.
     */
    static CommandLine configure(CommandLine cli) {
        cli.getCommandSpec().addOption(OptionSpec.builder(DEBUG).type(boolean.class).scopeType(ScopeType.INHERIT)
                .description("On an error, print its stack trace too.").build());
        cli.setHelpFactory(BoundedHelp::new);
        cli.setExecutionStrategy(parsed -> {
            // --help and --version answer before any check: a default out of range must not hide the help.
            Integer helped = CommandLine.executeHelpRequest(parsed);
            if (helped != null) {
                return helped;
            }
            OptionBounds.check(parsed);
            return new CommandLine.RunLast().execute(parsed);
        });
        cli.setParameterExceptionHandler((e, args) -> {
            CommandLine cmd = e.getCommandLine();
            cmd.getErr().println("error: " + e.getMessage() + " (see '" + cmd.getCommandSpec().qualifiedName() + " --help')");
            return 2;
        });
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            Throwable input = firstOf(e, InputException.class);
            Throwable usage = input != null ? input : firstOf(e, IllegalArgumentException.class);
            Throwable shown = usage != null ? usage : e;
            String what = shown.getMessage() != null ? shown.getMessage() : shown.getClass().getName();
            cmd.getErr().println("error: " + (usage == null && shown.getMessage() != null ? shown.getClass().getSimpleName() + ": " : "")
                    + what + (usage != null || debug(parsed) ? "" : " (--debug shows the stack trace)"));
            if (debug(parsed)) {
                e.printStackTrace(cmd.getErr());
            }
            return usage != null ? 2 : 1;
        });
        return cli;
    }

    private static boolean debug(CommandLine.ParseResult parsed) {
        return parsed.originalArgs().contains(DEBUG);
    }

    private static Throwable firstOf(Throwable e, Class<? extends Throwable> kind) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (kind.isInstance(t)) {
                return t;
            }
        }
        return null;
    }

    /** Where the checkout is: bin/jigsaw passes it; relative defaults (examples/, .jigsaw/) hang off it. */
    static Path home() {
        String h = System.getProperty("jigsaw.home", System.getenv().getOrDefault("JIGSAW_HOME", "."));
        return Path.of(h).toAbsolutePath().normalize();
    }

    /** The graph a command works on when none is given: the demo's. */
    static Path demoGraph() {
        return home().resolve("examples/xr-scene/graph.yaml");
    }

    /** Help that ends each bounded option's description with its valid range, the one {@link OptionBounds} checks. */
    private static final class BoundedHelp extends Help {

        BoundedHelp(CommandSpec spec, Help.ColorScheme scheme) {
            super(spec, scheme);
        }

        @Override
        public IOptionRenderer createDefaultOptionRenderer() {
            IOptionRenderer plain = super.createDefaultOptionRenderer();
            return (option, labels, scheme) -> {
                Text[][] rows = plain.render(option, labels, scheme);
                return OptionBounds.of(option).map(b -> {
                    Text[] range = new Text[rows[0].length];
                    Arrays.fill(range, scheme.text(""));
                    range[range.length - 1] = scheme.text("Valid: " + OptionBounds.describe(option, b) + ".");
                    Text[][] withRange = Arrays.copyOf(rows, rows.length + 1);
                    withRange[rows.length] = range;
                    return withRange;
                }).orElse(rows);
            };
        }
    }
}
