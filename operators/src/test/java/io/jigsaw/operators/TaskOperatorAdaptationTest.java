package io.jigsaw.operators;

import io.jigsaw.core.plan.Adaptation;
import io.jigsaw.core.plan.Partition;
import io.jigsaw.core.plan.Plan;
import io.jigsaw.core.plan.TaskPlan;
import io.jigsaw.schemas.Telemetry;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Queue;

import static io.jigsaw.operators.RecordingRunner.BATCHES;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Per-request adaptation inside a plan, on the classify operator under Flink's harness: a ladder picks
 * each batch's variant by its tightest piece's slack, a cascade runs the low-confidence pieces again
 * on the larger variant. The recording runner's classifier answers a crop's mean pixel value as its
 * top score, so a test sets each piece's confidence through its pixels.
 */
class TaskOperatorAdaptationTest {

    static final long TELEMETRY_MS = 1000;
    /** The planned budget of fuse, the one task below classify. */
    static final double FUSE_BUDGET_MS = 100;

    KeyedBroadcastOperatorTestHarness<Integer, Piece, Plan, Piece> harness;

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    void open(Adaptation classify, int batch) throws Exception {
        TaskOperator op = new TaskOperator(TaskOperatorHarnessTest.GRAPH, "classify", RecordingRunner.factory(), LaneKeys.of(2, 128),
                TELEMETRY_MS, 4);
        harness = ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(op, p -> p.laneKey, Types.INT, PlanBroadcast.PLANS);
        harness.setProcessingTime(0);
        harness.processBroadcastElement(new Plan("xr-scene", 1, "test", "", List.of(
                new TaskPlan("detect", "detect-s", 1, 0, 100, List.of(new Partition(0, 50))),
                new TaskPlan("classify", "classify-m", batch, 50, 100, List.of(new Partition(0, 20)), classify),
                new TaskPlan("depth", "depth-s", 1, 0, 100, List.of(new Partition(0, 10))),
                new TaskPlan("fuse", "fuse-s", 1, 0, FUSE_BUDGET_MS, List.of(new Partition(0, 10))))), 0);
    }

    /** A crop whose pixels are all {@code value}: the recording classifier's top score for it. */
    static Piece crop(int i, long deadline, float value) {
        Piece p = TaskOperatorHarnessTest.request(i, deadline);
        float[] x = new float[32 * 32 * 3];
        Arrays.fill(x, value);
        p.payload = Tensors.bytes(x);
        p.shape = new int[] {32, 32, 3};
        p.objectId = "detect:" + i;
        return p;
    }

    List<Piece> toFuse() {
        Queue<StreamRecord<Piece>> q = harness.getSideOutput(Tags.toChild("fuse"));
        return q == null ? List.of() : q.stream().map(StreamRecord::getValue).toList();
    }

    static final Adaptation LADDER = new Adaptation(List.of(new Adaptation.Rung("classify-l", 50), new Adaptation.Rung("classify-m", 20),
            new Adaptation.Rung("classify-s", 5)), null);

    @Test
    void aLadderRunsTheMostAccurateRungThatStillLeavesTheTasksBelowTheirBudget() throws Exception {
        open(LADDER, 1);

        harness.processElement(crop(1, 10_000, 0.5f), 0);                                   // all the time in the world
        harness.processElement(crop(2, (long) FUSE_BUDGET_MS + 30, 0.5f), 0);                 // 30 ms left after fuse: m fits, l not
        harness.processElement(crop(3, (long) FUSE_BUDGET_MS + 1, 0.5f), 0);                  // nothing fits: the fastest

        assertThat(BATCHES).extracting(RecordingRunner.Batch::variant).containsExactly("classify-l", "classify-m", "classify-s");
        assertThat(toFuse()).extracting(p -> p.variantMap().get("classify")).containsExactly("classify-l", "classify-m", "classify-s");
    }

    @Test
    void aLadderJudgesABatchByItsTightestPiece() throws Exception {
        open(LADDER, 2);

        harness.processElement(crop(1, 10_000, 0.5f), 0);
        harness.processElement(crop(2, (long) FUSE_BUDGET_MS + 30, 0.5f), 0);

        assertThat(BATCHES).containsExactly(new RecordingRunner.Batch("classify-m", 1, 2));
    }

    @Test
    void aCascadeRunsOnlyTheLowConfidencePiecesAgainOnTheLargerVariantAndAnswersEachPieceOnce() throws Exception {
        open(new Adaptation(List.of(), new Adaptation.Cascade("classify-l", 0.5, 10, 0.3)), 3);

        harness.processElement(crop(1, 10_000, 0.9f), 0);
        harness.processElement(crop(2, 10_000, 0.2f), 0);
        harness.processElement(crop(3, 10_000, 0.7f), 0);

        assertThat(BATCHES).containsExactly(new RecordingRunner.Batch("classify-m", 1, 3), new RecordingRunner.Batch("classify-l", 1, 1));
        List<Piece> out = toFuse();
        assertThat(out).extracting(p -> p.requestId).containsExactlyInAnyOrder("req-1", "req-2", "req-3");
        assertThat(out).filteredOn(p -> p.requestId.equals("req-2")).singleElement().satisfies(p -> {
            assertThat(p.variantMap()).containsEntry("classify", "classify-l");
            assertThat(p.reports).extracting(r -> r.variant).containsExactly("classify-l");
            assertThat(p.taskRuns).as("one task run, in two stages").isEqualTo(1);
        });
        assertThat(out).filteredOn(p -> !p.requestId.equals("req-2")).allSatisfy(p -> assertThat(p.variantMap()).containsEntry("classify", "classify-m"));

        harness.setProcessingTime(TELEMETRY_MS);
        Telemetry t = harness.getSideOutput(Tags.TELEMETRY).peek().getValue();
        assertThat(t.getCascadeInputs()).isEqualTo(3);
        assertThat(t.getEscalated()).isEqualTo(1);
        assertThat(t.getRungBatches()).containsEntry("classify-m", 1L).containsEntry("classify-l", 1L);
    }

    @Test
    void aCascadeDoesNotEscalateAPieceWhoseDeadlineLeavesNoTimeForTheLargerVariant() throws Exception {
        open(new Adaptation(List.of(), new Adaptation.Cascade("classify-l", 0.5, 10, 0.3)), 1);

        harness.processElement(crop(1, (long) FUSE_BUDGET_MS + 5, 0.2f), 0);

        assertThat(BATCHES).extracting(RecordingRunner.Batch::variant).containsExactly("classify-m");
        assertThat(toFuse()).singleElement().satisfies(p -> assertThat(p.variantMap()).containsEntry("classify", "classify-m"));
    }

    @Test
    void withBothALadderRungThatIsTheCascadesLargerVariantIsNotEscalatedAgain() throws Exception {
        open(new Adaptation(LADDER.ladder(), new Adaptation.Cascade("classify-l", 0.5, 10, 0.3)), 1);

        harness.processElement(crop(1, 10_000, 0.2f), 0);

        assertThat(BATCHES).extracting(RecordingRunner.Batch::variant).containsExactly("classify-l");
    }

    @Test
    void underALadderEarlyDropJudgesAPieceByTheFastestRung() throws Exception {
        open(LADDER, 1);

        harness.processElement(crop(1, 3, 0.5f), 0);     // 3 ms left: not even classify-s (5 ms) makes it
        harness.processElement(crop(2, 6, 0.5f), 0);     // 6 ms: classify-s does (fuse's budget is its own problem)

        assertThat(harness.extractOutputValues()).singleElement().satisfies(p -> {
            assertThat(p.requestId).isEqualTo("req-1");
            assertThat(p.dropped).isTrue();
            assertThat(p.dropReason).contains("a batch takes 5 ms");
        });
        assertThat(BATCHES).extracting(RecordingRunner.Batch::variant).containsExactly("classify-s");
    }
}
