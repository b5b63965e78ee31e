package io.jigsaw.job.cli;

import io.jigsaw.job.JigsawOptions;
import io.jigsaw.job.kafka.TopicReader;
import io.jigsaw.job.replay.TraceRecorder;
import io.jigsaw.schemas.Request;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

@Command(name = "trace", mixinStandardHelpOptions = true, header = "Works with traces of arrivals.",
        subcommands = {TraceCommand.Record.class})
final class TraceCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "say what to do with traces: 'trace record'");
    }

    @Command(name = "record", mixinStandardHelpOptions = true,
            header = "Records the arrivals on a requests topic as a trace, to try a plan on yesterday's traffic.",
            description = "Reads a requests topic from --from to --until (by the records' Kafka timestamps) and writes its "
                    + "arrivals, without payloads, as a trace CSV (timestamp_ms,graph; epoch ms, which every reader of traces "
                    + "rebases to 0): `simulate --trace FILE` and `replay --trace FILE` take it as it is. With --until ahead of "
                    + "now it records live traffic until then. Records that are not requests are skipped and counted. Progress "
                    + "on stderr; the file is written once the recording is complete (FILE.partial until then).")
    static final class Record implements Callable<Integer> {

        @Mixin
        KafkaClientOption kafka;

        @Mixin
        TopicOption topic;

        @Option(names = "--from", required = true, paramLabel = "WHEN", description = "Where the recording starts: an instant "
                + "(2026-12-06T09:00:00Z), epoch milliseconds, or a time back from now (90s, 10m, 2h, PT10M).")
        String from;

        @Option(names = "--until", paramLabel = "WHEN", description = "Where it ends, as --from; a time ahead of now is written "
                + "+30s or +PT30S (default: now).")
        String until;

        @Option(names = "--time", defaultValue = "record", description = "Each arrival's time: 'record' (the Kafka record's "
                + "timestamp: when the producer sent it, or when the broker appended it, as the topic says) or 'event' (the "
                + "request's event_time_ms, its client's clock) (default: ${DEFAULT-VALUE}).")
        String time;

        @Option(names = "--out", required = true, paramLabel = "FILE", description = "The trace CSV to write.")
        Path out;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            long now = System.currentTimeMillis();
            long fromMs = when("--from", from, now);
            long untilMs = until == null ? now : when("--until", until, now);
            if (untilMs < fromMs) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--until (" + Instant.ofEpochMilli(untilMs)
                        + ") is before --from (" + Instant.ofEpochMilli(fromMs) + ")");
            }
            TraceRecorder.Clock clock = switch (time.toLowerCase(Locale.ROOT)) {
                case "record" -> TraceRecorder.Clock.RECORD;
                case "event" -> TraceRecorder.Clock.EVENT;
                default -> throw new CommandLine.ParameterException(spec.commandLine(), "--time must be 'record' or 'event', found '"
                        + time + "'");
            };
            String name = topic.orJobs(JigsawOptions.TOPIC_REQUESTS);
            System.err.printf("[trace record] '%s' at %s from %s until %s -> %s%n", name, kafka.connection(), Instant.ofEpochMilli(fromMs),
                    Instant.ofEpochMilli(untilMs), out);
            TraceRecorder.Recorded r;
            try (TopicReader<Request> reader = new TopicReader<>(kafka.connection(), name, Request.class, false)) {
                r = new TraceRecorder(clock).record(reader, fromMs, untilMs, out, (kept, read, left) -> System.err.printf(
                        "[trace record] %d arrivals kept of %d requests read%s%n", kept, read, left < 0 ? " (recording live)"
                                : ", " + left + " left"));
            }
            spec.commandLine().getOut().printf(Locale.ROOT, "%d arrivals written to %s (%d requests read, %d other records skipped)%s%n", r.arrivals(), out, r.read(),
                    r.skipped(), r.arrivals() == 0 ? "" : String.format(Locale.ROOT, " spanning %.1f s from %s", (r.lastMs() - r.firstMs())
                            / 1000.0, Instant.ofEpochMilli(r.firstMs())));
            spec.commandLine().getOut().flush();
            return 0;
        }

        private static final Pattern SHORT = Pattern.compile("(\\+)?(\\d+(?:\\.\\d+)?)(ms|s|m|h|d)");

        /** An instant, epoch ms, or a duration back from {@code now} (ahead with a leading '+'). */
        long when(String option, String value, long now) {
            String v = value.trim();
            Matcher m = SHORT.matcher(v);
            if (m.matches()) {
                double amount = Double.parseDouble(m.group(2));
                long unitMs = switch (m.group(3)) {
                    case "ms" -> 1;
                    case "s" -> 1_000;
                    case "m" -> 60_000;
                    case "h" -> 3_600_000;
                    default -> 86_400_000;
                };
                long ms = Math.round(amount * unitMs);
                return m.group(1) != null ? now + ms : now - ms;
            }
            if (v.matches("\\+?P.*")) {
                try {
                    long ms = Duration.parse(v.replace("+", "")).toMillis();
                    return v.startsWith("+") ? now + ms : now - ms;
                } catch (DateTimeParseException e) {
                    // fall through to the error below
                }
            }
            if (v.matches("\\d{10,}")) {
                return Long.parseLong(v);
            }
            try {
                return Instant.parse(v).toEpochMilli();
            } catch (DateTimeParseException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), option + " must be an instant (2026-12-06T09:00:00Z), "
                        + "epoch milliseconds, or a time back from now (90s, 10m, 2h, PT10M; ahead: +30s), found '" + value + "'");
            }
        }
    }
}
