package io.jigsaw.job.demo;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ChaosTest {

    /** Faults 15 s apart: each counts the drops from 2 s before it to 2 s before the next, the last to the end; none twice. */
    @Test
    void eachDropCountsForOneFaultTheLastOneBeforeIt() {
        List<Long> at = List.of(15_000L, 30_000L, 45_000L);
        List<Long> dropped = List.of(12_999L, 13_000L, 27_999L, 28_000L, 30_500L, 42_999L, 43_000L, 64_999L, 65_000L);

        assertThat(Chaos.droppedAround(List.of("tm", "broker", "sidecar"), at, dropped))
                .containsExactly(java.util.Map.entry("tm", 2L), java.util.Map.entry("broker", 3L), java.util.Map.entry("sidecar", 3L));
    }
}
