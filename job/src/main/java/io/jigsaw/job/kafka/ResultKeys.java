package io.jigsaw.job.kafka;

import io.jigsaw.schemas.Result;

/**
 * What identifies a result on the {@code results} topic: its request id and the request's event time,
 * {@code <request_id>@<event_time_ms>}, as the record key and for every reader that drops repeats.
 *
 * <p>Why both: while a request may still be in the job, a second request with its id is refused
 * (dead letter "duplicate request_id"); once that window has passed, the id is free and a request
 * reusing it is a new request, served. Keyed by the id alone, its result would replace the first one
 * on the compacted topic and a reader would take it for a repeat and drop it. A result the job writes
 * again after a restore is the same request, event time included, so it keeps its key: a repeat.
 */
public final class ResultKeys {

    private ResultKeys() {
    }

    public static String of(Result r) {
        return r.getRequestId() + "@" + r.getEventTimeMs();
    }
}
