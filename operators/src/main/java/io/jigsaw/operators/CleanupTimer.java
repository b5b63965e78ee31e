package io.jigsaw.operators;

import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.TimerService;

import java.io.IOException;

/**
 * A request's cleanup timer, remembered at the time it was registered for so that it can be deleted there. A
 * request that arrives already past its deadline is cleaned {@code afterMs} after its arrival, not after its
 * deadline (a timer in the past would fire at once, before the request's other pieces arrive); deleting at
 * {@code deadline + afterMs} would then miss it, and every checkpoint would carry the timer until it fired.
 */
final class CleanupTimer {

    static final ValueStateDescriptor<Long> AT = new ValueStateDescriptor<>("cleanup-at", Types.LONG);

    private CleanupTimer() {
    }

    static void register(TimerService timers, ValueState<Long> at, long deadlineMs, long afterMs) throws IOException {
        long when = Math.max(deadlineMs, timers.currentProcessingTime()) + afterMs;
        timers.registerProcessingTimeTimer(when);
        at.update(when);
    }

    static void delete(TimerService timers, ValueState<Long> at) throws IOException {
        Long when = at.value();
        if (when != null) {
            timers.deleteProcessingTimeTimer(when);
            at.clear();
        }
    }
}
