package io.jigsaw.operators;

import io.jigsaw.core.graph.Credit;
import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.GraphLoader;
import io.jigsaw.core.plan.Partition;
import io.jigsaw.core.plan.Plan;
import io.jigsaw.core.plan.TaskPlan;
import io.jigsaw.runtime.VariantRunner;
import io.jigsaw.schemas.Telemetry;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;

import static io.jigsaw.operators.RecordingRunner.BATCHES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The task operator alone, under Flink's keyed-broadcast test harness with controlled processing time. */
class TaskOperatorHarnessTest {

    static final Graph GRAPH = DemoGraph.load();
    static final long TELEMETRY_MS = 1000;

    KeyedBroadcastOperatorTestHarness<Integer, Piece, Plan, Piece> harness;

    KeyedBroadcastOperatorTestHarness<Integer, Piece, Plan, Piece> open(String task) throws Exception {
        TaskOperator op = new TaskOperator(GRAPH, task, RecordingRunner.factory(), LaneKeys.of(2, 128), TELEMETRY_MS, 4);
        harness = ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(op, p -> p.laneKey, Types.INT,
                PlanBroadcast.PLANS);
        harness.setProcessingTime(0);
        return harness;
    }

    @AfterEach
    void close() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    static Plan plan(long version, String detectVariant, int batch, double timeoutMs, int classifyReplicas) {
        List<Partition> classify = new ArrayList<>();
        for (int i = 0; i < classifyReplicas; i++) {
            classify.add(new Partition(0, 20));
        }
        return new Plan("xr-scene", version, "test", "", List.of(
                new TaskPlan("detect", detectVariant, batch, timeoutMs, 100, List.of(new Partition(0, 50))),
                new TaskPlan("classify", "classify-s", 4, 5, 100, classify),
                new TaskPlan("depth", "depth-s", 4, 5, 100, List.of(new Partition(0, 10))),
                new TaskPlan("fuse", "fuse-s", 4, 5, 100, List.of(new Partition(0, 10)))));
    }

    static Piece request(int i, long deadline) {
        return request(i, deadline, DemoGraph.frame(i));
    }

    static Piece request(int i, long deadline, byte[] frame) {
        Piece p = DemoGraph.piece("req-" + i, deadline);
        p.payload = frame;
        p.shape = new int[] {64, 64, 3};
        p.dtype = "float32";
        p.laneKey = LaneKeys.of(2, 128).keyFor(0);
        return p;
    }

    /** A 64x64 frame whose 4x4 grid cells are flat grey, cell k at brightness k/16: a crop's mean tells its cell. */
    static byte[] gridFrame() {
        float[] f = new float[64 * 64 * 3];
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                for (int c = 0; c < 3; c++) {
                    f[(y * 64 + x) * 3 + c] = ((y / 16) * 4 + x / 16) / 16f;
                }
            }
        }
        return Tensors.bytes(f);
    }

    List<Piece> toChild(String child) {
        Queue<StreamRecord<Piece>> q = harness.getSideOutput(Tags.toChild(child));
        return q == null ? List.of() : q.stream().map(StreamRecord::getValue).toList();
    }

    @Test
    void theOperatorTravelsToItsTaskManagerWhole() throws Exception {
        // Flink serialises every function into the job graph: one field that is not Serializable fails the submission.
        TaskOperator op = new TaskOperator(GRAPH, "detect", RecordingRunner.factory(), LaneKeys.of(2, 128), TELEMETRY_MS, 4);

        assertThat(InstantiationUtil.clone(op)).isInstanceOf(TaskOperator.class);
    }

    @Test
    void aFullBatchRunsAtOnce() throws Exception {
        open("detect").processBroadcastElement(plan(1, "detect-m", 3, 50, 1), 0);

        for (int i = 0; i < 3; i++) {
            harness.processElement(request(i, 10_000), 0);
        }

        assertThat(BATCHES).containsExactly(new RecordingRunner.Batch("detect-m", 2, 3));
    }

    /**
     * A plan that splits a task's traffic across variants: this replica (subtask 0) runs the variant and
     * batch size its partition names, not the task's; the pieces it sends on go to the child's replicas
     * by the child's planned weights.
     */
    @Test
    void underATrafficSplitEachReplicaRunsItsOwnVariantAndChildrenFollowThePlannedWeights() throws Exception {
        Plan split = new Plan("xr-scene", 1, "test", "", List.of(
                new TaskPlan("detect", "detect-m", 3, 50, 100, List.of(
                        new Partition(0, 50, "detect-l", 2, 0.4), new Partition(0, 50, "detect-m", 3, 0.6))),
                new TaskPlan("classify", "classify-s", 4, 5, 100, List.of(
                        new Partition(0, 20, "classify-s", 4, 0), new Partition(0, 20, "classify-l", 4, 1))),
                new TaskPlan("depth", "depth-s", 4, 5, 100, List.of(new Partition(0, 10))),
                new TaskPlan("fuse", "fuse-s", 4, 5, 100, List.of(new Partition(0, 10)))));
        open("detect").processBroadcastElement(split, 0);

        for (int i = 0; i < 2; i++) {
            harness.processElement(request(i, 10_000, gridFrame()), 0);
        }

        assertThat(BATCHES).containsExactly(new RecordingRunner.Batch("detect-l", 2, 2));
        int lane1 = LaneKeys.of(2, 128).keyFor(1);
        assertThat(toChild("classify")).isNotEmpty().allSatisfy(p -> assertThat(p.laneKey).isEqualTo(lane1));
    }

    @Test
    void aPartialBatchRunsWhenItsTimeoutExpires() throws Exception {
        open("detect").processBroadcastElement(plan(1, "detect-m", 8, 20, 1), 0);
        harness.processElement(request(1, 10_000), 0);
        harness.processElement(request(2, 10_000), 5);

        harness.setProcessingTime(19);
        assertThat(BATCHES).isEmpty();

        harness.setProcessingTime(20);
        assertThat(BATCHES).containsExactly(new RecordingRunner.Batch("detect-m", 2, 2));
    }

    @Test
    void eachPieceCarriesWhereItsLatencyWentTransferQueueAndModel() throws Exception {
        open("detect").processBroadcastElement(plan(1, "detect-m", 2, 50, 1), 0);
        RecordingRunner.predictMs = 5;
        Piece first = request(1, 10_000);
        first.departs(Micros.now() - 3_000);
        harness.processElement(first, 0);
        Thread.sleep(4);
        Piece second = request(2, 10_000);
        second.departs(Micros.now());
        harness.processElement(second, 0);

        List<Piece> out = toChild("classify");
        assertThat(out).isNotEmpty().allSatisfy(p -> {
            assertThat(p.hops).isEqualTo(1);
            assertThat(p.modelMicros).isGreaterThanOrEqualTo(5_000);
            assertThat(p.sentMicros).as("departed after its batch ran").isGreaterThanOrEqualTo(p.arrivedMicros + p.modelMicros);
        });
        Piece late = out.stream().filter(p -> p.requestId.equals("req-1")).findFirst().orElseThrow();
        assertThat(late.transferMicros).as("sent 3 ms before it arrived").isGreaterThanOrEqualTo(3_000);
        assertThat(late.queueMicros).as("waited for the second piece to fill the batch").isGreaterThanOrEqualTo(4_000);
    }

    @Test
    void aRestoreFromACheckpointKeepsTheQueuedPiecesAndCountsThemTowardsTheBatch() throws Exception {
        open("detect").processBroadcastElement(plan(1, "detect-m", 3, 50, 1), 0);
        harness.processElement(request(1, 10_000), 0);
        harness.processElement(request(2, 10_000), 0);
        OperatorSubtaskState checkpoint = harness.snapshot(1, 0);
        harness.close();

        // A new subtask, as after a TaskManager failure: state from the checkpoint, nothing else.
        harness = new KeyedBroadcastOperatorTestHarness<>(new CoBroadcastWithKeyedOperator<>(
                new TaskOperator(GRAPH, "detect", RecordingRunner.factory(), LaneKeys.of(2, 128), TELEMETRY_MS, 4),
                List.of(PlanBroadcast.PLANS)), p -> p.laneKey, Types.INT, 1, 1, 0);
        harness.setProcessingTime(0);
        harness.initializeState(checkpoint);
        harness.open();
        harness.processElement(request(3, 10_000), 1);

        assertThat(BATCHES).as("the restored plan and both queued pieces").containsExactly(new RecordingRunner.Batch("detect-m", 2, 3));
        assertThat(toChild("classify")).extracting(p -> p.requestId).contains("req-1", "req-2", "req-3");
    }

    @Test
    void piecesThatArriveBeforeAnyPlanWaitForOne() throws Exception {
        open("detect");
        harness.processElement(request(1, 10_000), 0);
        harness.setProcessingTime(500);
        assertThat(BATCHES).isEmpty();

        harness.processBroadcastElement(plan(1, "detect-s", 1, 0, 1), 500);
        harness.setProcessingTime(600);

        assertThat(BATCHES).containsExactly(new RecordingRunner.Batch("detect-s", 2, 1));
    }

    @Test
    void eachBoxAboveTheThresholdBecomesACropOfThatPlaceWithItsBoxAndTheCreditIsSplit() throws Exception {
        open("detect").processBroadcastElement(plan(1, "detect-l", 1, 0, 1), 0);
        RecordingRunner.detections = frame -> {
            float[] s = new float[16];
            s[5] = 0.8f;   // row 1, column 1
            s[0] = 0.9f;   // row 0, column 0: the best, so object 0
            s[10] = 0.3f;  // under min_score 0.5
            return s;
        };

        harness.processElement(request(1, 10_000, gridFrame()), 0);

        List<Piece> classify = toChild("classify");
        assertThat(classify).extracting(p -> p.objectId).containsExactly("detect:0", "detect:1");
        assertThat(classify.get(0).box).containsExactly(0f, 0f, 0.25f, 0.25f);
        assertThat(classify.get(1).box).containsExactly(0.25f, 0.25f, 0.5f, 0.5f);
        assertThat(classify).extracting(p -> p.boxScore).containsExactly(0.9f, 0.8f);
        assertThat(classify).allSatisfy(p -> assertThat(p.shape).containsExactly(32, 32, 3));
        // The crops' pixels come from their cells: flat k/16, so the whole crop is k/16.
        assertThat(RecordingRunner.mean(Tensors.floats(classify.get(0).payload))).isCloseTo(0f, within(1e-6f));
        assertThat(RecordingRunner.mean(Tensors.floats(classify.get(1).payload))).isCloseTo(5 / 16f, within(1e-6f));
        assertThat(toChild("depth")).extracting(p -> p.objectId).containsExactly("detect:0", "detect:1");
        Credit total = Credit.ZERO;
        for (Piece p : classify) {
            total = total.plus(p.credit());
        }
        assertThat(total).as("classify's share of the request").isEqualTo(new Credit(1, 2));
        assertThat(classify.get(0).variantMap()).containsEntry("detect", "detect-l");
        assertThat(classify).allSatisfy(p -> assertThat(p.frame).as("nothing below reads the frame").isNull());
    }

    @Test
    void aFrameWithNoBoxAboveTheThresholdSendsOneSkipPieceToEachChild() throws Exception {
        open("detect").processBroadcastElement(plan(1, "detect-s", 1, 0, 1), 0);
        RecordingRunner.detections = frame -> new float[16];

        harness.processElement(request(1, 10_000), 0);

        assertThat(toChild("classify")).singleElement().satisfies(p -> {
            assertThat(p.skip).isTrue();
            assertThat(p.payload).isNull();
            assertThat(p.credit()).isEqualTo(new Credit(1, 2));
        });
        assertThat(toChild("depth")).singleElement().satisfies(p -> assertThat(p.skip).isTrue());
    }

    @Test
    void atMostMaxCropsGoOnTheBestFirst() throws Exception {
        open("detect").processBroadcastElement(plan(1, "detect-s", 1, 0, 1), 0);
        RecordingRunner.detections = frame -> {
            float[] s = new float[16];
            for (int i = 0; i < 16; i++) {
                s[i] = 0.5f + i / 100f; // every cell qualifies; cell 15 is best
            }
            return s;
        };

        harness.processElement(request(1, 10_000, gridFrame()), 0);

        List<Piece> classify = toChild("classify");
        assertThat(classify).hasSize(8);
        assertThat(classify.get(0).box).containsExactly(0.75f, 0.75f, 1f, 1f);
        assertThat(classify).extracting(p -> p.boxScore).isSortedAccordingTo(java.util.Comparator.reverseOrder());
    }

    @Test
    void nanBoxesAreSkippedBoxesPastTheFrameClippedAndEmptyOnesSkippedAllCounted() throws Exception {
        open("detect").processBroadcastElement(plan(1, "detect-s", 1, 0, 1), 0);
        RecordingRunner.detections = frame -> {
            float[] s = new float[16];
            s[0] = 0.9f;
            s[1] = 0.8f;
            s[2] = 0.7f;
            return s;
        };
        RecordingRunner.boxes = frame -> {
            float[] b = RecordingRunner.cellBoxes(4);
            b[0] = Float.NaN;                                  // cell 0: NaN
            b[4] = -0.2f;                                      // cell 1: starts left of the frame
            b[8] = 1.2f;                                       // cell 2: x1 past the right edge: nothing left
            b[10] = 1.5f;
            return b;
        };

        harness.processElement(request(1, 10_000, gridFrame()), 0);
        harness.setProcessingTime(TELEMETRY_MS);

        assertThat(toChild("classify")).singleElement().satisfies(p -> assertThat(p.box).containsExactly(0f, 0f, 0.5f, 0.25f));
        Telemetry t = harness.getSideOutput(Tags.TELEMETRY).peek().getValue();
        assertThat(t.getBoxesSkipped()).containsEntry("nan", 2L).containsEntry("empty", 2L).containsEntry("clipped", 2L);
    }

    @Test
    void aTaskWithoutCropsSendsItsVariantsDeclaredMeanNumberOfPieces() throws Exception {
        Graph declared = GraphLoader.load(java.nio.file.Files.writeString(java.nio.file.Files.createTempFile("declared", ".yaml"), """
                name: declared
                latency_slo_ms: 100
                tasks:
                  - name: detect
                    variants: [{name: d, accuracy: 1, fanout: {classify: 2.5}}]
                  - name: classify
                    after: [detect]
                    variants: [{name: c, accuracy: 1}]
                """));
        TaskOperator op = new TaskOperator(declared, "detect", RecordingRunner.factory(), LaneKeys.of(2, 128), TELEMETRY_MS, 4);
        harness = ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(op, p -> p.laneKey, Types.INT, PlanBroadcast.PLANS);
        harness.processBroadcastElement(new Plan("declared", 1, "test", "", List.of(
                new TaskPlan("detect", "d", 1, 0, 100, List.of(new Partition(0, 50))),
                new TaskPlan("classify", "c", 1, 0, 100, List.of(new Partition(0, 50))))), 0);
        int requests = 400;
        for (int i = 0; i < requests; i++) {
            harness.processElement(request(i, 10_000), 0);
        }

        // d finds 2.5 objects per frame on average: 2 or 3 pieces per request, each a copy of the frame.
        List<Piece> classify = toChild("classify");
        assertThat(classify.size() / (double) requests).isBetween(2.35, 2.65);
        assertThat(classify.get(0).payload).isEqualTo(DemoGraph.frame(0));
    }

    @Test
    void anOutputTaskReportsWhatItsModelGaveForEachObject() throws Exception {
        open("classify").processBroadcastElement(plan(1, "detect-s", 1, 0, 1), 0);
        Piece crop = request(1, 10_000);
        crop.payload = new byte[32 * 32 * 3 * 4];
        crop.shape = new int[] {32, 32, 3};
        crop.objectId = "detect:3";
        crop.box = new float[] {0.25f, 0, 0.5f, 0.25f};
        crop.boxScore = 0.7f;
        crop.credit(new Credit(1, 4));

        harness.processElement(crop, 0);
        harness.setProcessingTime(10); // classify's batch timeout in this plan

        assertThat(toChild("fuse")).singleElement().satisfies(p -> {
            assertThat(p.reports).singleElement().satisfies(r -> {
                assertThat(r.task).isEqualTo("classify");
                assertThat(r.objectId).isEqualTo("detect:3");
                assertThat(r.box).containsExactly(0.25f, 0, 0.5f, 0.25f);
                assertThat(r.names).containsExactly("probabilities");
            });
            assertThat(p.payload).as("a join takes the branch's tensor, not the crop").isNull();
            assertThat(p.joinParts).singleElement().satisfies(j -> {
                assertThat(j.from).isEqualTo("classify");
                assertThat(j.objectId).isEqualTo("detect:3");
                assertThat(j.values).hasSize(10);
            });
        });
    }

    @Test
    void aPlanSwitchMidStreamLosesAndDuplicatesNothing() throws Exception {
        open("detect").processBroadcastElement(plan(1, "detect-s", 4, 10, 1), 0);
        for (int i = 0; i < 6; i++) {
            harness.processElement(request(i, 10_000), 1);
        }
        // Two queued under plan 1 when plan 2 arrives; they run under plan 2.
        harness.processBroadcastElement(plan(2, "detect-m", 3, 10, 1), 2);
        for (int i = 6; i < 10; i++) {
            harness.processElement(request(i, 10_000), 3);
        }
        harness.setProcessingTime(100);

        assertThat(BATCHES).containsExactly(
                new RecordingRunner.Batch("detect-s", 2, 4),
                new RecordingRunner.Batch("detect-m", 2, 3),
                new RecordingRunner.Batch("detect-m", 2, 3));
        // Two objects a frame: each request's two crops reach depth once each.
        List<String> served = toChild("depth").stream().map(p -> p.requestId + "/" + p.objectId).sorted().toList();
        assertThat(served).hasSize(20).doesNotHaveDuplicates();
    }

    @Test
    void sessionsStayLoadedOnlyForThePlanInForceAndTheOneBefore() throws Exception {
        open("detect").processBroadcastElement(plan(1, "detect-s", 1, 0, 1), 0);
        harness.processBroadcastElement(plan(2, "detect-m", 1, 0, 1), 0);
        assertThat(RecordingRunner.LOADED).as("switching back to plan 1 costs no reload")
                .containsExactly(session("detect-s"), session("detect-m"));

        harness.processBroadcastElement(plan(3, "detect-l", 1, 0, 1), 0);
        harness.processBroadcastElement(plan(4, "detect-m", 1, 0, 1), 0);
        harness.processElement(request(1, 10_000), 1);

        assertThat(RecordingRunner.LOADED).as("detect-s was last used two plans ago: closed")
                .containsExactlyInAnyOrder(session("detect-l"), session("detect-m"));
        assertThat(BATCHES).extracting(RecordingRunner.Batch::variant).containsExactly("detect-m");
    }

    /** detect at the test plans' 50 % share of 4 cores: 2 threads. */
    static VariantRunner.Session session(String variant) {
        return new VariantRunner.Session(variant, 2);
    }

    @Test
    void anOlderPlanIsIgnored() throws Exception {
        open("detect").processBroadcastElement(plan(5, "detect-m", 1, 0, 1), 0);
        harness.processBroadcastElement(plan(4, "detect-s", 1, 0, 1), 0);

        harness.processElement(request(1, 10_000), 1);

        assertThat(BATCHES).extracting(RecordingRunner.Batch::variant).containsExactly("detect-m");
    }

    @Test
    void activeReplicasFollowThePlan() throws Exception {
        LaneKeys lanes = LaneKeys.of(2, 128);
        open("detect").processBroadcastElement(plan(1, "detect-s", 1, 0, 1), 0);
        for (int i = 0; i < 50; i++) {
            harness.processElement(request(i, 10_000), 0);
        }
        assertThat(toChild("classify")).extracting(p -> p.laneKey).containsOnly(lanes.keyFor(0));

        harness.processBroadcastElement(plan(2, "detect-s", 1, 0, 2), 0);
        for (int i = 50; i < 100; i++) {
            harness.processElement(request(i, 10_000), 0);
        }
        assertThat(toChild("classify")).extracting(p -> p.laneKey).contains(lanes.keyFor(0), lanes.keyFor(1));
    }

    @Test
    void aPieceWhoseDeadlinePassedIsDroppedWithoutRunning() throws Exception {
        open("detect").processBroadcastElement(plan(1, "detect-s", 2, 50, 1), 0);
        harness.processElement(request(1, 30), 0);

        harness.setProcessingTime(50); // the batch timeout fires after request 1's deadline
        harness.processElement(request(2, 10_000), 60);
        harness.processElement(request(3, 10_000), 60);

        assertThat(harness.extractOutputValues()).singleElement().satisfies(p -> {
            assertThat(p.requestId).isEqualTo("req-1");
            assertThat(p.dropped).isTrue();
            assertThat(p.dropReason).contains("deadline passed before task detect");
        });
        assertThat(BATCHES).containsExactly(new RecordingRunner.Batch("detect-s", 2, 2));
    }

    @Test
    void aPieceThatWouldFinishAfterItsDeadlineAtTheLastBatchsPaceIsDroppedBeforeRunning() throws Exception {
        open("detect").processBroadcastElement(plan(1, "detect-s", 1, 0, 1), 0);
        RecordingRunner.predictMs = 30;
        harness.processElement(request(1, 10_000), 0); // runs, and sets the pace: ~30 ms a batch

        harness.processElement(request(2, 10), 0); // 10 ms left, a batch takes 30
        harness.processElement(request(3, 10_000), 0);

        assertThat(harness.extractOutputValues()).singleElement().satisfies(p -> {
            assertThat(p.requestId).isEqualTo("req-2");
            assertThat(p.dropped).isTrue();
            assertThat(p.dropReason).contains("task detect could not finish by the deadline (10 ms left");
        });
        assertThat(BATCHES).hasSize(2);
    }

    @Test
    void aReplicaWhoseLastBatchWasSlowRunsAgainOnceThatPaceIsASecondOldInsteadOfDroppingForGood() throws Exception {
        open("detect").processBroadcastElement(plan(1, "detect-s", 1, 0, 1), 0);
        RecordingRunner.predictMs = 30;
        harness.processElement(request(1, 10_000), 0); // a slow (cold) batch: the pace is ~30 ms
        RecordingRunner.predictMs = 0;

        harness.setProcessingTime(500);
        harness.processElement(request(2, 520), 500);   // 20 ms left at a 30 ms pace: dropped
        harness.setProcessingTime(1_200);
        harness.processElement(request(3, 1_220), 1_200); // the same slack, but no batch for a second: it runs

        assertThat(harness.extractOutputValues()).singleElement().satisfies(p -> assertThat(p.requestId).isEqualTo("req-2"));
        assertThat(BATCHES).hasSize(2);
    }

    @Test
    void withoutEarlyDropALatePieceStillRuns() throws Exception {
        TaskOperator op = new TaskOperator(GRAPH, "detect", RecordingRunner.factory(), LaneKeys.of(2, 128), TELEMETRY_MS, 4, false);
        harness = ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(op, p -> p.laneKey, Types.INT, PlanBroadcast.PLANS);
        harness.setProcessingTime(0);
        harness.processBroadcastElement(plan(1, "detect-s", 1, 0, 1), 0);
        harness.setProcessingTime(50);

        harness.processElement(request(1, 30), 50);

        assertThat(BATCHES).containsExactly(new RecordingRunner.Batch("detect-s", 2, 1));
        assertThat(toChild("classify")).isNotEmpty().noneMatch(p -> p.dropped);
    }

    @Test
    void telemetryReportsArrivalsBatchesTheVariantAndWhatItSentEachChild() throws Exception {
        open("detect").processBroadcastElement(plan(1, "detect-s", 2, 5, 1), 0);
        for (int i = 0; i < 4; i++) {
            harness.processElement(request(i, 10_000), 100);
        }

        harness.setProcessingTime(TELEMETRY_MS);

        Queue<StreamRecord<Telemetry>> out = harness.getSideOutput(Tags.TELEMETRY);
        assertThat(out).hasSize(1);
        Telemetry t = out.peek().getValue();
        assertThat(t.getTask()).isEqualTo("detect");
        assertThat(t.getArrivals()).isEqualTo(4);
        assertThat(t.getArrivalRateRps()).isEqualTo(4.0);
        assertThat(t.getBatches()).isEqualTo(2);
        assertThat(t.getMeanBatchSize()).isEqualTo(2.0);
        assertThat(t.getVariant()).isEqualTo("detect-s");
        assertThat(t.getPlanVersion()).isEqualTo(1);
        // Two objects a frame (the recording runner's default detections), to each crop child.
        assertThat(t.getFanout()).extracting(f -> f.getVariant() + " -> " + f.getChild() + " " + f.getPiecesIn() + " in, "
                + f.getPiecesOut() + " out").containsExactly("detect-s -> classify 4 in, 8 out", "detect-s -> depth 4 in, 8 out");
    }

    @Test
    void aSubtaskHoldingSeveralLanesAfterARescaleReportsOneTelemetryWindowWithAllItsArrivals() throws Exception {
        // One subtask after the job was rescaled from two: it holds both old lanes, each with its telemetry timer.
        open("detect").processBroadcastElement(plan(1, "detect-s", 2, 5, 1), 0);
        for (int i = 0; i < 4; i++) {
            Piece p = request(i, 10_000);
            p.laneKey = LaneKeys.of(2, 128).keyFor(i % 2);
            harness.processElement(p, 100);
        }

        harness.setProcessingTime(TELEMETRY_MS);

        Queue<StreamRecord<Telemetry>> out = harness.getSideOutput(Tags.TELEMETRY);
        assertThat(out).singleElement().satisfies(r -> assertThat(r.getValue().getArrivals()).isEqualTo(4));
    }
}
