package io.jigsaw.planner.adapt;

import io.jigsaw.core.plan.AdaptationMode;
import io.jigsaw.core.graph.ConfidenceCsv;
import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.Labels;
import io.jigsaw.core.graph.Task;
import io.jigsaw.core.graph.TaskInput;
import io.jigsaw.core.graph.Variant;
import io.jigsaw.core.plan.Adaptation;
import io.jigsaw.core.plan.Plan;
import io.jigsaw.core.plan.TaskPlan;
import io.jigsaw.planner.model.PlanningInstance;
import io.jigsaw.planner.model.Policy;
import io.jigsaw.planner.model.SolvedPlan;
import io.jigsaw.planner.profile.Profile;
import io.jigsaw.planner.profile.ProfileRow;
import io.jigsaw.planner.profile.ShareGrid;
import io.jigsaw.planner.solver.PlanSolver;
import io.jigsaw.planner.solver.SolverSettings;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * What a plan's per-request adaptation is made of: a ladder from the profile, a cascade from the
 * validation confidences — on one labelled task whose three variants cost 1, 2 and 4 ms a piece.
 */
class PlanAdapterTest {

    static final PlanSolver SOLVER = new PlanSolver(SolverSettings.defaults().withLimits(Duration.ofSeconds(2), Duration.ofMillis(200)));

    /** s is right on samples 0-4 only and sure of 0-3; m is right on 0-7, equally sure of all; l is right on 0-8. */
    static final double[] S_TOP = {0.95, 0.9, 0.85, 0.8, 0.3, 0.25, 0.2, 0.15, 0.1, 0.05};

    static Confidence confidence() {
        List<ConfidenceCsv.Row> rows = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            rows.add(new ConfidenceCsv.Row("classify", "s", i, S_TOP[i], i <= 4));
            rows.add(new ConfidenceCsv.Row("classify", "m", i, 0.9, i <= 7));
            rows.add(new ConfidenceCsv.Row("classify", "l", i, 0.99, i <= 8));
        }
        return new Confidence(rows);
    }

    /** Planned without accuracy scaling: the plan runs l, the most accurate. */
    static SolvedPlan solved(double accuracySlo) {
        return SOLVER.solve(instance(accuracySlo));
    }

    static PlanningInstance instance(double accuracySlo) {
        Task classify = new Task("classify", List.of(), List.of(variant("s", 0.5), variant("m", 0.8), variant("l", 0.9)), TaskInput.frame(),
                new Labels("probabilities", 1, List.of("a", "b")), 0.9);
        Graph graph = new Graph("one", 1_000, accuracySlo, null, List.of(classify), null, List.of());
        Profile profile = new Profile("gpu", List.of(row("s", 1), row("m", 2), row("l", 4)), List.of());
        return new PlanningInstance(graph, profile, 10, 1, ShareGrid.wholeGpus(), Policy.NO_ACCURACY_SCALING, 0.9,
                PlanningInstance.AccuracyRule.TRAFFIC_WEIGHTED_MEAN);
    }

    static Variant variant(String name, double accuracy) {
        return new Variant(name, accuracy, null, Map.of(), null, false);
    }

    static ProfileRow row(String variant, double ms) {
        return new ProfileRow(variant, "gpu", 100, 1, ms * 0.8, ms, ProfileRow.Source.MEASURED);
    }

    static TaskPlan adapted(AdaptationMode mode, double accuracySlo) {
        SolvedPlan s = solved(accuracySlo);
        Plan plan = new PlanAdapter(mode, confidence()).adapt(s.toPlan(1, "test"), s);
        return plan.task("classify").orElseThrow();
    }

    @Test
    void aCascadesOutcomeIsCountedSampleBySampleOnBothVariants() {
        Confidence.Outcome o = confidence().cascade("classify", "s", "l", 0.3);

        assertThat(o.rate()).isCloseTo(0.5, within(1e-9));              // samples 5-9 score under 0.3
        assertThat(o.keptAccuracy()).isCloseTo(1.0, within(1e-9));       // s is right on 0-4
        assertThat(o.escalatedAccuracy()).isCloseTo(0.8, within(1e-9));  // l is right on 5-8 of 5-9
        assertThat(o.accuracy()).isCloseTo(0.9, within(1e-9));
        assertThat(confidence().accuracy("classify", "s")).isCloseTo(0.5, within(1e-9));
    }

    @Test
    void theLadderIsEveryProfiledVariantMostAccurateFirstWithItsProfiledBatchTime() {
        TaskPlan tp = adapted(AdaptationMode.LADDER, 0.5);

        assertThat(tp.variant()).isEqualTo("l");
        assertThat(tp.adaptation().ladder()).containsExactly(new Adaptation.Rung("l", 4), new Adaptation.Rung("m", 2),
                new Adaptation.Rung("s", 1));
        assertThat(tp.adaptation().cascade()).isNull();
    }

    @Test
    void atAnAccuracySloTheCascadeMustMatchThePlansVariantOnTheValidationSamplesAtLessCost() {
        SolvedPlan s = solved(0.9);
        double room = 0.9 / s.evaluation().accuracy();

        TaskPlan tp = adapted(AdaptationMode.CASCADE, 0.9);

        // Planned accuracy at the SLO: no room. s then l below 0.3 is as accurate as l (0.9) at 1 + 0.5 x 4 = 3 ms a piece.
        assertThat(room).isCloseTo(1.0, within(1e-9));
        assertThat(tp.variant()).isEqualTo("s");
        assertThat(tp.adaptation().cascade()).isEqualTo(new Adaptation.Cascade("l", 0.3, 4, 0.5));
        assertThat(tp.adaptation().ladder()).isEmpty();
    }

    @Test
    void belowItTheCascadeMayUseTheRoomBetweenThePlansAccuracyAndTheSloButNoMore() {
        // SLO 0.8 of the best (l's 0.9): room 0.8, the cascade may fall to 0.8 x 0.9 = 0.72. s then m below 0.3 gives 0.8 at 1 + 0.5 x 2 = 2 ms a
        // piece (s then l below 0.25: 0.8 at 2.6 ms); escalating less gives 0.7 or lower: too low. m alone (0.8) never
        // escalates: it is no cascade, the planner weighed it.
        TaskPlan tp = adapted(AdaptationMode.CASCADE, 0.8);

        assertThat(tp.variant()).isEqualTo("s");
        assertThat(tp.adaptation().cascade()).isEqualTo(new Adaptation.Cascade("m", 0.3, 2, 0.5));
    }

    @Test
    void withBothTheCascadesFirstStageIsThePlansVariantAndTheLadderStillHasEveryRung() {
        TaskPlan tp = adapted(AdaptationMode.BOTH, 0.9);

        assertThat(tp.variant()).isEqualTo("s");
        assertThat(tp.adaptation().cascade().escalateTo()).isEqualTo("l");
        assertThat(tp.adaptation().ladder()).extracting(Adaptation.Rung::variant).containsExactly("l", "m", "s");
    }

    @Test
    void withoutConfidencesNoTaskGetsACascade() {
        SolvedPlan s = solved(0.9);
        Plan plan = new PlanAdapter(AdaptationMode.CASCADE, null).adapt(s.toPlan(1, "test"), s);

        assertThat(plan).isEqualTo(s.toPlan(1, "test"));
    }
}
