package io.jigsaw.operators;

import io.jigsaw.core.graph.Credit;
import io.jigsaw.core.graph.Dataflow;
import io.jigsaw.core.graph.Graph;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The join under Flink's keyed-broadcast harness: it waits for every branch and assembles its input in object order. */
class JoinBranchesHarnessTest {

    static final Graph GRAPH = DemoGraph.load();
    static final List<Dataflow.JoinBranch> LAYOUT = List.of(new Dataflow.JoinBranch("classify", "probabilities", 3, 2),
            new Dataflow.JoinBranch("depth", "value", 3, 1));

    static Piece part(String from, String objectId, Credit credit, float... values) {
        Piece p = DemoGraph.piece("r1", 10_000);
        p.objectId = objectId;
        p.credit(credit);
        p.joinParts = values.length == 0 ? null : new JoinPart[] {new JoinPart(from, objectId, values)};
        p.skip = values.length == 0;
        return p;
    }

    /** The demo's join into fuse, cleaning a request 10 s after its deadline. */
    static KeyedBroadcastOperatorTestHarness<String, Piece, io.jigsaw.core.plan.Plan, Piece> fuseJoin() throws Exception {
        return ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(
                new JoinBranches(GRAPH, "fuse", LaneKeys.of(2, 128), 10_000, LAYOUT), p -> p.requestId, Types.STRING, PlanBroadcast.PLANS);
    }

    @Test
    void theJoinTakesEachBranchInObjectOrderZeroPaddedWhateverOrderItsPiecesArriveIn() throws Exception {
        try (KeyedBroadcastOperatorTestHarness<String, Piece, io.jigsaw.core.plan.Plan, Piece> harness = fuseJoin()) {
            // Two objects: each branch's half of the request in two quarters; detect:10 sorts after detect:2.
            Credit quarter = new Credit(1, 4);
            harness.processElement(part("depth", "detect:10", quarter, 7f), 0);
            harness.processElement(part("classify", "detect:10", quarter, 0.3f, 0.4f), 0);
            harness.processElement(part("classify", "detect:2", quarter, 0.1f, 0.2f), 0);
            assertThat(harness.extractOutputValues()).as("depth's detect:2 is still missing").isEmpty();
            harness.processElement(part("depth", "detect:2", quarter, 5f), 0);

            assertThat(harness.extractOutputValues()).singleElement().satisfies(p -> {
                assertThat(Tensors.floats(p.payload)).containsExactly(0.1f, 0.2f, 0.3f, 0.4f, 0, 0, 5f, 7f, 0);
                assertThat(p.shape).containsExactly(9);
                assertThat(p.joinParts).isNull();
                assertThat(p.objectId).as("the join stands for the whole request").isEmpty();
            });
        }
    }

    @Test
    void aRequestThatReachesTheJoinPastItsDeadlineLeavesNoTimerOnceJoined() throws Exception {
        try (KeyedBroadcastOperatorTestHarness<String, Piece, io.jigsaw.core.plan.Plan, Piece> harness = fuseJoin()) {
            harness.setProcessingTime(60_000);
            harness.processElement(part("classify", "detect:0", new Credit(1, 2), 0.1f, 0.2f), 0);
            assertThat(harness.numProcessingTimeTimers()).as("cleaned 10 s after it arrived, not after its deadline").isEqualTo(1);
            harness.processElement(part("depth", "detect:0", new Credit(1, 2), 5f), 0);

            assertThat(harness.extractOutputValues()).hasSize(1);
            assertThat(harness.numProcessingTimeTimers()).isZero();
        }
    }

    @Test
    void aBranchThatFoundNothingIsAllZeros() {
        Piece classify = part("classify", "detect:0", new Credit(1, 2), 0.5f, 0.5f);
        classify.absorb(part("depth", "", new Credit(1, 2)));

        assertThat(JoinBranches.assemble(classify.joinParts, LAYOUT)).containsExactly(0.5f, 0.5f, 0, 0, 0, 0, 0, 0, 0);
    }
}
