package io.jigsaw.operators;

/**
 * Where a request's SLO clock starts: its deadline is this start plus its budget (its producer's
 * deadline − event time, else the graph's latency SLO). The client's event time measures what its user
 * waits for but trusts the client's clock; the broker's log-append time and the job's ingestion time
 * trust only clocks of the serving side, and leave out what happened before the request reached it.
 */
public enum RequestClock {
    /** The producer's event_time_ms (a clock more than a second ahead of the job's counts from arrival instead). */
    EVENT_TIME,
    /** When the broker appended the record (a requests topic with message.timestamp.type=LogAppendTime). */
    LOG_APPEND_TIME,
    /** When the job decoded the request. */
    INGESTION
}
