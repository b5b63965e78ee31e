package io.jigsaw.job.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import picocli.CommandLine.Option;

/** {@code --json}: one JSON object on the last stdout line, for scripts (DESIGN.md). */
final class JsonLine {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--json", description = "Print one JSON object on the last stdout line.")
    boolean on;

    /** Prints the summary as one line if --json was given. */
    void print(Object summary) throws JsonProcessingException {
        if (on) {
            System.out.println(JSON.writeValueAsString(summary));
        }
    }

    /** The same on the command's own output (picocli's, which a caller may have redirected). */
    void print(Object summary, java.io.PrintWriter out) throws JsonProcessingException {
        if (on) {
            out.println(JSON.writeValueAsString(summary));
            out.flush();
        }
    }
}
