package io.jigsaw.job.kafka;

import io.jigsaw.job.TestResults;
import io.jigsaw.schemas.Result;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DistinctResultsTest {

    private static Result result(String id, long completedMs) {
        return TestResults.result(id, 0, completedMs, true, false);
    }

    @Test
    void aResultWrittenAgainAfterARestoreIsPassedOnceAndCounted() {
        DistinctResults reader = new DistinctResults(null);

        List<Result> first = reader.pass(List.of(result("a", 10), result("b", 11)));
        // After a restore the job writes again what it wrote since its last checkpoint: b, then new c.
        List<Result> second = reader.pass(List.of(result("b", 30), result("c", 31)));

        assertThat(first).extracting(Result::getRequestId).containsExactly("a", "b");
        assertThat(second).extracting(Result::getRequestId).containsExactly("c");
        assertThat(second.get(0).getCompletedMs()).isEqualTo(31);
        assertThat(reader.repeatsDropped()).isEqualTo(1);
    }

    @Test
    void itRemembersTheMostRecentIdsOnly() {
        DistinctResults reader = new DistinctResults(null, 2);

        reader.pass(List.of(result("a", 1), result("b", 2), result("c", 3)));

        assertThat(reader.pass(List.of(result("c", 4), result("a", 5)))).extracting(Result::getRequestId)
                .as("a was forgotten: a repeat that late cannot come from a restore").containsExactly("a");
    }

    /** A request id reused once the job's de-duplication window has passed is a new request: its result is no repeat. */
    @Test
    void aReusedRequestIdWithItsOwnEventTimeIsANewResultAndAReplayOfItIsARepeat() {
        DistinctResults reader = new DistinctResults(null);
        Result first = TestResults.result("id", 0, 10, true, false);
        Result reused = TestResults.result("id", 0, 90, true, false);
        reused.setEventTimeMs(first.getEventTimeMs() + 60_000);

        List<Result> passed = reader.pass(List.of(first, reused, reused));

        assertThat(passed).extracting(Result::getEventTimeMs).containsExactly(first.getEventTimeMs(), reused.getEventTimeMs());
        assertThat(reader.repeatsDropped()).isEqualTo(1);
        assertThat(ResultKeys.of(first)).isNotEqualTo(ResultKeys.of(reused)).startsWith("id@");
    }
}
