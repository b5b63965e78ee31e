package io.jigsaw.core.serving;

import io.jigsaw.core.plan.Adaptation;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The replica's rules, as the job's task operator and the simulator both follow them. */
class ReplicaPolicyTest {

    private final ReplicaPolicy policy = new ReplicaPolicy(true);

    @Nested
    class BatchCut {

        @Test
        void aBatchRunsOnceTheQueueHoldsThePlansBatchSize() {
            assertThat(ReplicaPolicy.full(3, 4)).isFalse();
            assertThat(ReplicaPolicy.full(4, 4)).isTrue();
            assertThat(ReplicaPolicy.full(9, 4)).isTrue();
        }

        @Test
        void orOnceTheFirstPieceSeenHasWaitedTheTimeoutInWholeMilliseconds() {
            assertThat(ReplicaPolicy.timeoutAtMs(1_000, 7.2)).isEqualTo(1_008);
            assertThat(ReplicaPolicy.timeoutAtMs(1_000, 0)).isEqualTo(1_000);
        }

        @Test
        void aLongerQueueRunsAsConsecutivePlanSizedBatches() {
            assertThat(ReplicaPolicy.chunks(List.of(1, 2, 3, 4, 5), 2)).containsExactly(List.of(1, 2), List.of(3, 4), List.of(5));
            assertThat(ReplicaPolicy.chunks(List.of(), 2)).isEmpty();
        }
    }

    @Nested
    class EarlyDrop {

        @Test
        void aPieceWhoseBatchWouldEndAfterItsDeadlineAtTheReplicasPaceIsDropped() {
            Lateness l = policy.judge(1_100, 1_000, 120);

            assertThat(l.late()).isTrue();
            assertThat(l.reason("detect")).isEqualTo("task detect could not finish by the deadline (100 ms left, a batch takes 120 ms)");
        }

        @Test
        void aPieceThatFitsExactlyRuns() {
            assertThat(policy.judge(1_100, 1_000, 100).late()).isFalse();
        }

        @Test
        void aPiecePastItsDeadlineSaysHowLate() {
            assertThat(policy.judge(990, 1_000, 0).reason("fuse")).isEqualTo("deadline passed before task fuse ran (10 ms late)");
        }

        @Test
        void aPieceWithoutADeadlineAndEveryPieceWithEarlyDropOffRun() {
            assertThat(policy.judge(0, 1_000, 500).late()).isFalse();
            assertThat(new ReplicaPolicy(false).judge(900, 1_000, 500).late()).isFalse();
        }

        @Test
        void theLatePiecesOfABatchAreToldAndTheRestRun() {
            List<Integer> dropped = new java.util.ArrayList<>();
            List<Integer> kept = policy.onTime(List.of(1_050, 1_200, 900), d -> d, 1_000, 100, (d, why) -> dropped.add(d));

            assertThat(kept).containsExactly(1_200);
            assertThat(dropped).containsExactly(1_050, 900);
        }

        @Test
        void aSlowBatchIsForgottenOnceNoBatchHasRunForASecondSoALateReplicaIsNotLateForGood() {
            ReplicaPace pace = new ReplicaPace();
            pace.ran("large", 512, 10_000);   // a cold batch: the model was loaded in it

            pace.expire(10_900);
            assertThat(policy.judge(11_300, 10_900, policy.pace(Adaptation.NONE, pace)).late()).as("within a second: still judged by it")
                    .isTrue();
            pace.expire(11_001);
            assertThat(policy.pace(Adaptation.NONE, pace)).isZero();
            assertThat(policy.judge(11_300, 11_001, policy.pace(Adaptation.NONE, pace)).late()).isFalse();
        }

        @Test
        void thePaceIsTheLastBatchOrUnderALadderItsFastestRungAsEstimated() {
            ReplicaPace pace = new ReplicaPace();
            pace.ran("large", 40);
            pace.ran("small", 12);
            Adaptation ladder = new Adaptation(List.of(new Adaptation.Rung("large", 30), new Adaptation.Rung("small", 15)), null);

            assertThat(policy.pace(Adaptation.NONE, pace)).isEqualTo(12);
            assertThat(policy.pace(ladder, pace)).as("the profile's 15 ms, longer than the last 12 ms here").isEqualTo(15);
        }
    }

    @Nested
    class Ladder {

        private final Adaptation ladder = new Adaptation(
                List.of(new Adaptation.Rung("large", 50), new Adaptation.Rung("medium", 20), new Adaptation.Rung("small", 5)), null);

        @Test
        void theMostAccurateRungThatLeavesTheTightestPieceTheBudgetsBelowRuns() {
            // 100 ms to the tightest deadline, 60 ms planned below: 40 ms of slack.
            assertThat(ReplicaPolicy.rung(ladder, 1_100, 1_000, 60, new ReplicaPace())).isEqualTo("medium");
            assertThat(ReplicaPolicy.rung(ladder, 1_200, 1_000, 60, new ReplicaPace())).isEqualTo("large");
        }

        @Test
        void aRungIsJudgedByWhatItTookHereWhenThatWasLonger() {
            ReplicaPace slowHere = new ReplicaPace();
            slowHere.ran("medium", 45);

            assertThat(ReplicaPolicy.rung(ladder, 1_100, 1_000, 60, slowHere)).isEqualTo("small");
        }

        @Test
        void withNoRungInTimeTheFastestRunsAndWithNoDeadlineTheMostAccurate() {
            assertThat(ReplicaPolicy.rung(ladder, 1_001, 1_000, 60, new ReplicaPace())).isEqualTo("small");
            assertThat(ReplicaPolicy.rung(ladder, 0, 1_000, 60, new ReplicaPace())).isEqualTo("large");
        }

        @Test
        void theTightestDeadlineOfABatchIgnoresPiecesWithout() {
            assertThat(ReplicaPolicy.tightestDeadlineMs(List.of(0.0, 1_300.0, 1_100.0), d -> d)).isEqualTo(1_100);
            assertThat(ReplicaPolicy.tightestDeadlineMs(List.of(0.0), d -> d)).isZero();
        }
    }

    @Nested
    class Cascade {

        private final Adaptation.Cascade cascade = new Adaptation.Cascade("large", 0.6, 30, 0.2);

        @Test
        void aLowConfidencePieceRunsAgainWhenItsDeadlineLeavesTheSecondStageAndTheBudgetsBelow() {
            assertThat(ReplicaPolicy.escalates(cascade, true, 1_100, 1_000, 70, new ReplicaPace())).isTrue();
            assertThat(ReplicaPolicy.escalates(cascade, true, 1_099, 1_000, 70, new ReplicaPace())).isFalse();
            assertThat(ReplicaPolicy.escalates(cascade, false, 5_000, 1_000, 70, new ReplicaPace())).isFalse();
        }

        @Test
        void lowConfidenceIsATopScoreUnderTheThreshold() {
            assertThat(ReplicaPolicy.lowConfidence(cascade, new float[] {0.1f, 0.59f})).isTrue();
            assertThat(ReplicaPolicy.lowConfidence(cascade, new float[] {0.3f, 0.6f})).isFalse();
            assertThat(ReplicaPolicy.lowConfidence(cascade, null)).isTrue();
        }

        @Test
        void onlyABatchThatDidNotRunTheLargerVariantIsAFirstStage() {
            assertThat(ReplicaPolicy.firstStage(cascade, "small")).isTrue();
            assertThat(ReplicaPolicy.firstStage(cascade, "large")).isFalse();
            assertThat(ReplicaPolicy.firstStage(null, "small")).isFalse();
        }
    }
}
