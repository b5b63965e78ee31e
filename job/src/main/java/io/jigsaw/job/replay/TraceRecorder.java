package io.jigsaw.job.replay;

import io.jigsaw.job.kafka.TopicReader;
import io.jigsaw.schemas.Request;
import org.apache.kafka.common.TopicPartition;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Writes the arrivals of a requests topic between two instants as a trace in the project's CSV
 * ({@code timestamp_ms,graph}, absolute epoch milliseconds; {@code simulate}, {@code replay} and the
 * demo rebase it), without payloads: what a candidate plan can be tried on before it goes live.
 * An arrival's time is the record's Kafka timestamp (when its producer sent it, or when the broker
 * appended it, as the topic says) or the request's own event time. Records that are not requests, and
 * requests whose graph name a plain CSV cannot hold, are skipped and counted.
 */
public final class TraceRecorder {

    /** Which clock an arrival's time is read from. */
    public enum Clock {
        /** The Kafka record's timestamp. */
        RECORD,
        /** The request's event_time_ms, as its client stamped it. */
        EVENT
    }

    /** Told now and then how far the recording is: arrivals kept, records read, records left up to the end in view. */
    public interface Progress {
        void at(long kept, long read, long left);
    }

    /** What was recorded. */
    public record Recorded(long arrivals, long read, long skipped, long firstMs, long lastMs) {
    }

    private record Arrival(long atMs, String graph) {
    }

    private static final java.util.regex.Pattern TRACEABLE_GRAPH = java.util.regex.Pattern.compile("[^,\"\\r\\n]+");

    private final Clock clock;
    private final LongSupplier now;

    public TraceRecorder(Clock clock) {
        this(clock, System::currentTimeMillis);
    }

    TraceRecorder(Clock clock, LongSupplier now) {
        this.clock = clock;
        this.now = now;
    }

    /**
     * Reads {@code reader}'s topic from {@code fromMs} up to {@code untilMs} (epoch ms, both by the
     * records' Kafka timestamps) and writes the arrivals to {@code out}. When {@code untilMs} lies ahead,
     * it reads live traffic until then; it stops once it has read what the topic held at {@code untilMs}.
     */
    public Recorded record(TopicReader<Request> reader, long fromMs, long untilMs, Path out, Progress progress) throws IOException {
        if (untilMs < fromMs) {
            throw new IllegalArgumentException("the recording would end (" + untilMs + ") before it starts (" + fromMs + ")");
        }
        long[] skipped = {0};
        reader.onSkip(line -> skipped[0]++);
        reader.seekToTime(fromMs);
        List<Arrival> arrivals = new ArrayList<>();
        long read = 0;
        Map<TopicPartition, Long> end = null;
        long lastProgress = 0;
        while (end == null || !reader.reached(end)) {
            if (end == null && now.getAsLong() >= untilMs) {
                // Everything stamped up to untilMs is on the topic now (give or take the producers' linger): read to here.
                end = reader.endOffsets();
            }
            for (TopicReader.Timestamped<Request> r : reader.pollTimed(Duration.ofMillis(200))) {
                read++;
                if (r.timestampMs() >= fromMs && r.timestampMs() <= untilMs) {
                    if (!TRACEABLE_GRAPH.matcher(r.value().getGraph()).matches()) {
                        // Our CSV quotes nothing: a graph name with a comma, a quote or a line break cannot be written.
                        skipped[0]++;
                        continue;
                    }
                    long at = clock == Clock.RECORD ? r.timestampMs() : r.value().getEventTimeMs();
                    arrivals.add(new Arrival(at, r.value().getGraph()));
                }
            }
            if (now.getAsLong() - lastProgress >= 1_000) {
                lastProgress = now.getAsLong();
                progress.at(arrivals.size(), read, end == null ? -1 : reader.behind(end));
            }
        }
        arrivals.sort(Comparator.comparingLong(Arrival::atMs));
        Path tmp = out.resolveSibling(out.getFileName() + ".partial");
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            w.write("timestamp_ms,graph\n");
            for (Arrival a : arrivals) {
                w.write(a.atMs() + "," + a.graph() + "\n");
            }
        }
        Files.move(tmp, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        progress.at(arrivals.size(), read, 0);
        return new Recorded(arrivals.size(), read, skipped[0], arrivals.isEmpty() ? 0 : arrivals.get(0).atMs(),
                arrivals.isEmpty() ? 0 : arrivals.get(arrivals.size() - 1).atMs());
    }
}
