package io.jigsaw.job.cli;

import picocli.CommandLine;

/**
 * The job jar's entry point (its manifest's Main-Class): what `bin/jigsaw job`, `flink run` and a
 * cluster's REST jar run ({@code POST /jars/:id/run}) start. It never calls System.exit: under a REST
 * run it executes inside the JobManager, which exiting would take down.
 */
public final class JobMain {

    /** Set by bin/jigsaw: a command-line run may exit with the command's code. */
    static final String EXIT_PROPERTY = "jigsaw.job.exit";

    private JobMain() {
    }

    public static void main(String[] args) {
        int code = JigsawCli.configure(new CommandLine(new JobCommand())).execute(args);
        if (code != 0 && Boolean.getBoolean(EXIT_PROPERTY)) {
            System.exit(code);
        }
        if (code != 0) {
            throw new IllegalStateException("jigsaw job failed (exit code " + code + "; the reason is printed above)");
        }
    }
}
