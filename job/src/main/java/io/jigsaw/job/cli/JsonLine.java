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
}
