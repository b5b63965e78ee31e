package io.jigsaw.job;

import io.jigsaw.schemas.Result;

import java.util.Map;

/** Results as the job writes them, with only what a reader's bookkeeping looks at. */
public final class TestResults {

    private TestResults() {
    }

    /** @param sloMet as the assembler judged it (completed in time, not dropped) */
    public static Result result(String id, long eventTimeMs, long completedMs, boolean sloMet, boolean dropped) {
        return Result.newBuilder().setRequestId(id).setGraph("g").setEventTimeMs(eventTimeMs).setCompletedMs(completedMs)
                .setLatencyMs(completedMs - eventTimeMs).setSloMet(sloMet).setVariants(Map.of()).setAccuracy(1).setTaskRuns(1)
                .setDropped(dropped).setPlanVersion(1).build();
    }
}
