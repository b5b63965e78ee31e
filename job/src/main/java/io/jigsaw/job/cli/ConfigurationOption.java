package io.jigsaw.job.cli;

import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code -Dkey=value}: any of Jigsaw's typed options ({@code JigsawOptions}), as config.yaml would set them. */
final class ConfigurationOption {

    @Option(names = "-D", mapFallbackValue = "", paramLabel = "key=value",
            description = "Any Jigsaw option, e.g. -Djigsaw.replica-slots=4 or -Djigsaw.planner.headroom=0.5"
                    + " (docs/operations.md, Configuration).")
    Map<String, String> values = new LinkedHashMap<>();

    Configuration toConfiguration() {
        return Configuration.fromMap(values);
    }
}
