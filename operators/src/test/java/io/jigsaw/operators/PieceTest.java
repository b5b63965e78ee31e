package io.jigsaw.operators;

import io.jigsaw.core.graph.Credit;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PieceTest {

    static Piece branch(Credit credit, long transfer, long queue, long model, int hops) {
        Piece p = new Piece();
        p.requestId = "r";
        p.credit(credit);
        p.transferMicros = transfer;
        p.queueMicros = queue;
        p.modelMicros = model;
        p.hops = hops;
        return p;
    }

    @Test
    void joinedBranchesKeepTheLatencyBreakdownOfTheSlowestBranch() {
        Piece fast = branch(new Credit(1, 2), 300, 100, 2_000, 3);
        Piece slow = branch(new Credit(1, 2), 500, 4_000, 9_000, 3);

        fast.absorb(slow);

        assertThat(fast.credit()).isEqualTo(Credit.ONE);
        assertThat(new long[] {fast.transferMicros, fast.queueMicros, fast.modelMicros}).containsExactly(500, 4_000, 9_000);
    }

    @Test
    void aFasterBranchArrivingLastDoesNotReplaceTheBreakdown() {
        Piece slow = branch(new Credit(1, 2), 500, 4_000, 9_000, 3);
        Piece fast = branch(new Credit(1, 2), 300, 100, 2_000, 4);

        slow.absorb(fast);

        assertThat(slow.modelMicros).isEqualTo(9_000);
        assertThat(slow.hops).isEqualTo(3);
    }

    @Test
    void aHopCountsAsTransferFromDepartureToArrival() {
        Piece p = new Piece();
        p.departs(1_000);
        p.arrives(1_250);
        p.ran(1_400, 3_400);

        assertThat(p.transferMicros).isEqualTo(250);
        assertThat(p.queueMicros).isEqualTo(150);
        assertThat(p.modelMicros).isEqualTo(2_000);
        assertThat(p.hops).isEqualTo(1);
    }
}
