package io.jigsaw.job.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jigsaw.job.JigsawOptions;
import io.jigsaw.job.client.ResultFormat;
import io.jigsaw.job.kafka.DistinctResults;
import io.jigsaw.job.kafka.TopicReader;
import io.jigsaw.schemas.Result;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "results", mixinStandardHelpOptions = true,
        header = "Prints the answers on the results topic, readably or as JSON.",
        description = "Reads the results topic as a consumer of committed results (read_committed: what exactly-once delivery "
                + "has made visible), once per result key (request id and event time: a result written again after a restore "
                + "under idempotent delivery is skipped; a request id reused later is a new result), and prints each: request id, "
                + "latency, SLO, plan version, variants, then per object its box and what each output task said (labels with "
                + "scores, or values), and the whole-frame outputs. Records that are not results are skipped with a warning. "
                + "Without --follow it stops --idle seconds after reading what the topic held when it started, or at the "
                + "--request-id's result.")
final class ResultsCommand implements Callable<Integer> {

    @Mixin
    KafkaClientOption kafka;

    @Mixin
    TopicOption topic;

    @Option(names = "--from-beginning", description = "Start at the oldest result kept, not at the newest.")
    boolean fromBeginning;

    @Option(names = "--follow", description = "Keep printing new results until Ctrl-C.")
    boolean follow;

    @Option(names = "--request-id", paramLabel = "ID", description = "Only this request's result (with --from-beginning it is "
            + "found among those already there).")
    String requestId;

    @Bounds(min = 0, minExclusive = true)
    @Option(names = "--idle", defaultValue = "5", description = "Without --follow: once it has read what the topic held when it "
            + "started, how many more seconds it reads what arrives before it stops, however busy the topic (default: ${DEFAULT-VALUE}).")
    double idleSeconds;

    @Option(names = "--json", description = "One JSON object per result per line.")
    boolean json;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        ObjectMapper mapper = new ObjectMapper();
        String from = topic.orJobs(JigsawOptions.TOPIC_RESULTS);
        long idleMs = Math.round(idleSeconds * 1000);
        try (DistinctResults reader = new DistinctResults(new TopicReader<>(kafka.connection(), from, Result.class, !fromBeginning))) {
            reader.reader().onSkip(line -> spec.commandLine().getErr().println("warning: " + line));
            // A live topic never goes quiet: stop at what it held when we started, plus --idle seconds of what came after.
            Map<TopicPartition, Long> endAtStart = reader.reader().endOffsets();
            long stopAt = Long.MAX_VALUE;
            while (true) {
                if (stopAt == Long.MAX_VALUE && reader.reader().reached(endAtStart)) {
                    stopAt = System.currentTimeMillis() + idleMs;
                }
                for (Result r : reader.poll(Duration.ofMillis(200))) {
                    if (requestId != null && !requestId.equals(r.getRequestId())) {
                        continue;
                    }
                    out.println(json ? mapper.writeValueAsString(ResultFormat.json(r)) : ResultFormat.text(r));
                    out.flush();
                    if (requestId != null && !follow) {
                        return 0;
                    }
                }
                if (!follow && System.currentTimeMillis() >= stopAt) {
                    if (requestId != null) {
                        spec.commandLine().getErr().println("error: no result for request " + requestId + " on '" + from + "' yet"
                                + (fromBeginning ? "" : " (it may have come before this started: add --from-beginning)"));
                        return 1;
                    }
                    return 0;
                }
            }
        }
    }
}
