package io.jigsaw.job.report;

import io.jigsaw.job.report.ResultStats;
import org.junit.jupiter.api.Test;

import static io.jigsaw.job.TestResults.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ResultStatsTest {

    @Test
    void theClientsLatencyRunsUntilTheResultCouldBeReadNotUntilItWasAssembled() {
        ResultStats stats = new ResultStats(400);

        // Assembled within 50 ms, but the first is readable only at a commit 500 ms after its request.
        stats.add(result("a", 1_000, 1_050, true, false), 1_500);
        stats.add(result("b", 1_000, 1_040, true, false), 1_060);

        assertThat(stats.sloAttainment()).as("as assembled").isEqualTo(1.0);
        assertThat(stats.visibleSloAttainment()).as("as the client saw it").isCloseTo(0.5, within(1e-9));
        assertThat(stats.visiblePercentile(0.99)).isEqualTo(500);
        assertThat(stats.percentile(0.99)).isEqualTo(50);
    }

    @Test
    void aDroppedRequestMissesTheSloWhenEverItIsRead() {
        ResultStats stats = new ResultStats(400);

        stats.add(result("a", 1_000, 1_010, false, true), 1_020);
        stats.add(result("b", 1_000, 1_010, true, false), 1_020);

        assertThat(stats.visibleSloAttainment()).isCloseTo(0.5, within(1e-9));
        assertThat(stats.dropped()).isEqualTo(1);
    }

    @Test
    void dropsAreCountedByReasonWithTheirFiguresTakenOut() {
        ResultStats stats = new ResultStats(400);
        io.jigsaw.schemas.Result late = result("a", 1_000, 1_010, false, true);
        late.setDropReason("deadline passed before task detect ran (12 ms late)");
        io.jigsaw.schemas.Result later = result("b", 1_000, 1_010, false, true);
        later.setDropReason("deadline passed before task detect ran (310 ms late)");
        io.jigsaw.schemas.Result tight = result("c", 1_000, 1_010, false, true);
        tight.setDropReason("task fuse could not finish by the deadline (2 ms left, a batch takes 3.5 ms)");

        stats.add(late, 1_020);
        stats.add(later, 1_020);
        stats.add(tight, 1_020);

        assertThat(stats.dropsByReason()).containsExactly(
                java.util.Map.entry("deadline passed before task detect ran (N ms late)", 2L),
                java.util.Map.entry("task fuse could not finish by the deadline (N ms left, a batch takes N ms)", 1L));
    }
}
