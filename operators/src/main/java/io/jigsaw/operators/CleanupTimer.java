package io.jigsaw.operators;

import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.TimerService;

import java.io.IOException;

/**
 * The cleanup timers of a function keyed by request, one per request it holds state for, and how many it holds
 * (gauge {@code requestsHeld}: what its share of every checkpoint grows with). A timer is remembered at the time
 * it was registered for, so that it can be deleted there: a request that arrives already past its deadline is
 * cleaned {@code afterMs} after its arrival, not after its deadline (a timer in the past would fire at once,
 * before the request's other pieces arrive), and deleting at {@code deadline + afterMs} would miss it — every
 * checkpoint would carry the timer until it fired.
 *
 * <p>The count is this subtask's since it started: requests restored from a checkpoint are not in it (their
 * timers, firing, take it below what it should be until they are all gone).
 */
final class CleanupTimer {

    static final ValueStateDescriptor<Long> AT = new ValueStateDescriptor<>("cleanup-at", Types.LONG);

    private final long afterMs;
    private volatile long held;

    CleanupTimer(long afterMs, MetricGroup group) {
        this.afterMs = afterMs;
        group.gauge("requestsHeld", () -> held);
    }

    /** @param at where to remember it, for {@link #delete}; null for a timer that is never deleted, only fires */
    void register(TimerService timers, ValueState<Long> at, long deadlineMs) throws IOException {
        long when = Math.max(deadlineMs, timers.currentProcessingTime()) + afterMs;
        timers.registerProcessingTimeTimer(when);
        if (at != null) {
            at.update(when);
        }
        held++;
    }

    void delete(TimerService timers, ValueState<Long> at) throws IOException {
        Long when = at.value();
        if (when != null) {
            timers.deleteProcessingTimeTimer(when);
            at.clear();
            held--;
        }
    }

    /** Its timer fired: the request's state is being cleared. */
    void fired(ValueState<Long> at) {
        if (at != null) {
            at.clear();
        }
        held--;
    }
}
