package io.jigsaw.operators;

import io.jigsaw.core.graph.Credit;
import io.jigsaw.schemas.Result;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The result assembler alone: one result per request, and what it keeps once a request is answered — the
 * state every checkpoint carries, so the less the better, but never so little that a piece could start an
 * answered request over.
 */
class ResultAssemblerHarnessTest {

    static final long CLEANUP_MS = 10_000;

    KeyedOneInputStreamOperatorTestHarness<String, Piece, Result> harness;

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    void open(boolean replaysPossible) throws Exception {
        harness = ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                new ResultAssembler(DemoGraph.load(), CLEANUP_MS, 1000, replaysPossible), p -> p.requestId, Types.STRING);
        harness.setProcessingTime(0);
    }

    static Piece half(String id) {
        Piece p = DemoGraph.piece(id, 1_000);
        p.credit(new Credit(1, 2));
        return p;
    }

    @Test
    void underExactlyOnceStateAnAnsweredRequestLeavesNoStateAndNoTimerBehind() throws Exception {
        open(false);

        harness.processElement(DemoGraph.piece("whole", 1_000), 0);
        harness.processElement(half("halves"), 0);
        harness.processElement(half("halves"), 0);

        assertThat(harness.extractOutputValues()).extracting(r -> r.getRequestId().toString()).containsExactly("whole", "halves");
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    @Test
    void aRequestThatArrivesPastItsDeadlineAndCompletesLeavesNoTimerBehind() throws Exception {
        open(false);
        // Its cleanup timer is registered from its arrival (a timer at deadline + cleanup could already have fired),
        // and deleted where it was registered.
        harness.setProcessingTime(1_000 + CLEANUP_MS + 500);

        harness.processElement(half("late"), 0);
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);
        harness.processElement(half("late"), 0);

        assertThat(harness.extractOutputValues()).hasSize(1);
        assertThat(harness.numProcessingTimeTimers()).isZero();
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void aDroppedRequestIsRememberedUntilItsCleanupTimeSoItsOtherPiecesAddNothing() throws Exception {
        open(false);
        Piece dropped = half("r");
        dropped.dropped = true;
        dropped.dropReason = "deadline passed before task detect ran (3 ms late)";

        harness.processElement(dropped, 0);
        harness.processElement(half("r"), 0);
        harness.setProcessingTime(1_000 + CLEANUP_MS);

        assertThat(harness.extractOutputValues()).singleElement().satisfies(r -> assertThat(r.getDropped()).isTrue());
        assertThat(harness.numKeyedStateEntries()).as("cleaned at the cleanup time").isZero();
    }

    @Test
    void whenPiecesMayComeAgainAnAnsweredRequestIsRememberedAndAReplayedPieceAddsNothing() throws Exception {
        open(true);

        harness.processElement(DemoGraph.piece("r", 1_000), 0);
        harness.processElement(DemoGraph.piece("r", 1_000), 5);

        assertThat(harness.extractOutputValues()).hasSize(1);
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);
    }

    @Test
    void aRequestWhosePiecesNeverAllArriveIsAnsweredDroppedAtItsCleanupTime() throws Exception {
        open(false);

        harness.processElement(half("r"), 0);
        harness.setProcessingTime(1_000 + CLEANUP_MS);

        assertThat(harness.extractOutputValues()).singleElement().satisfies(r -> {
            assertThat(r.getDropped()).isTrue();
            assertThat(r.getDropReason().toString()).startsWith("incomplete: only 1/2");
        });
    }
}
