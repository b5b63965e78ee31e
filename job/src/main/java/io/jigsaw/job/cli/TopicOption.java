package io.jigsaw.job.cli;

import org.apache.flink.configuration.ConfigOption;
import picocli.CommandLine.Option;

/** {@code --topic}: another topic than the job's own (its {@code jigsaw.topic.*} option), for the commands that publish or read one. */
final class TopicOption {

    @Option(names = "--topic", description = "Topic to use instead of the job's (jigsaw.topic.requests or jigsaw.topic.results, "
            + "by default named 'requests' and 'results').")
    String name;

    String orJobs(ConfigOption<String> jobsTopic) {
        return name != null ? name : jobsTopic.defaultValue();
    }
}
