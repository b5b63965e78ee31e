package io.jigsaw.planner.exact;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.planner.LokiApp;
import io.jigsaw.planner.generate.InstanceGenerator;
import io.jigsaw.planner.model.PlanningInstance;
import io.jigsaw.planner.model.Policy;
import io.jigsaw.planner.model.SolvedPlan;
import io.jigsaw.planner.profile.Profile;
import io.jigsaw.planner.profile.ProfileLoader;
import io.jigsaw.planner.profile.ShareGrid;
import io.jigsaw.planner.solver.PlanSolver;
import io.jigsaw.planner.solver.SolverSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class PerTaskRelaxationTest {

    private static final PerTaskRelaxation SEARCH = new PerTaskRelaxation(Duration.ofSeconds(20));

    /**
     * Without traffic splits the exhaustive search is exact at any demand, feasible or not: on generated trees, from
     * 10 req/s to well past what they serve, the per-task search decides every demand and decides it as the exhaustive
     * search does (SERVED with a plan the evaluator accepts there, or NOT_SERVED).
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 5, 8})
    void decidesEveryDemandAsTheExhaustiveSearchDoesWithoutSplits(long seed) {
        PlanningInstance base = InstanceGenerator.generate(new InstanceGenerator.Shape(3 + (int) (seed % 2), 3, 20, 2, 10), seed, Policy.JIGSAW)
                .withTrafficSplit(false);
        assertThat(PerTaskRelaxation.applies(base)).isTrue();
        List<String> verdicts = new ArrayList<>();
        List<String> disagreements = new ArrayList<>();
        for (double demand = 10; demand <= 500; demand *= 1.3) {
            PlanningInstance at = base.withDemand(demand);
            PerTaskRelaxation.Verdict expected = new ExhaustiveSearch(5_000_000).solve(at).isPresent()
                    ? PerTaskRelaxation.Verdict.SERVED : PerTaskRelaxation.Verdict.NOT_SERVED;
            PerTaskRelaxation.Decision d = SEARCH.decide(at, Duration.ofSeconds(60), line -> { });
            verdicts.add(String.format(java.util.Locale.ROOT, "%.1f %s", demand, d.verdict()));
            if (d.verdict() != expected) {
                disagreements.add(String.format(java.util.Locale.ROOT, "%.1f req/s: exhaustive %s, per-task %s", demand, expected, d.verdict()));
            }
            if (d.plan().isPresent()) {
                assertThat(d.plan().get().evaluation().feasible()).isTrue();
                assertThat(d.plan().get().instance().demandRps()).isEqualTo(demand);
            }
        }
        assertThat(disagreements).as("verdicts %s", verdicts).isEmpty();
        assertThat(verdicts).anyMatch(v -> v.endsWith("NOT_SERVED")).anyMatch(v -> v.endsWith(" SERVED"));
    }

    /**
     * With splits the exhaustive search finishes only where a plan exists (proving none means enumerating every split):
     * wherever it finds one, the per-task search finds one too.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void findsAPlanWhereverTheExhaustiveSearchWithSplitsDoes(long seed) {
        PlanningInstance base = InstanceGenerator.generate(new InstanceGenerator.Shape(3, 2, 20, 1, 10), seed, Policy.JIGSAW);
        int compared = 0;
        for (double demand = 10; demand <= 200; demand *= 1.3) {
            Optional<SolvedPlan> exact;
            try {
                exact = new ExhaustiveSearch(1_000_000).solve(base.withDemand(demand));
            } catch (ExhaustiveSearch.Exhausted e) {
                continue;
            }
            if (exact.isEmpty()) {
                continue;
            }
            compared++;
            PerTaskRelaxation.Decision d = SEARCH.decide(base.withDemand(demand), Duration.ofSeconds(60), line -> { });
            assertThat(d.verdict()).as("%.1f req/s", demand).isEqualTo(PerTaskRelaxation.Verdict.SERVED);
        }
        assertThat(compared).isPositive();
    }

    /**
     * On Loki's app at 60 ms the per-path relaxation's optimum routes pieces in ways no per-task plan can (its reading as
     * a per-task plan misses the accuracy floor): the per-task search proves that not even 0.1 % below it is served,
     * and it finds the plan the heuristic planner finds at a demand it serves.
     */
    @Test
    void provesDemandsNotServedThatThePerPathRelaxationAllowsOnLokisApp() {
        PlanningInstance instance = loki(60);
        PathPlan relaxed = new PathRoutingIlp(Duration.ofSeconds(60)).capacity(instance);
        assertThat(relaxed.optimal()).isTrue();
        assertThat(PathRoutingIlp.asPlannerPlan(relaxed)).isEmpty();

        PerTaskRelaxation.Decision justBelow = SEARCH.decide(instance.withDemand(relaxed.demandRps() * 0.999), Duration.ofSeconds(90),
                line -> { });
        SolvedPlan heuristic = new PlanSolver(SolverSettings.defaults()).solve(instance.withDemand(relaxed.demandRps() * 0.75));
        assertThat(heuristic.feasible()).isTrue();
        PerTaskRelaxation.Decision served = SEARCH.decide(heuristic.instance(), Duration.ofSeconds(90), line -> { });

        assertThat(justBelow.verdict()).isEqualTo(PerTaskRelaxation.Verdict.NOT_SERVED);
        assertThat(served.verdict()).isEqualTo(PerTaskRelaxation.Verdict.SERVED);
        assertThat(served.plan().orElseThrow().evaluation().feasible()).isTrue();
    }

    /** Capacity steps up from a plan by the tolerance until a demand is proven not served: that demand is the bound. */
    @Test
    void capacityStepsUpFromAKnownPlanUntilADemandIsProvenNotServed() {
        PlanningInstance base = InstanceGenerator.generate(new InstanceGenerator.Shape(3, 3, 20, 2, 10), 1, Policy.JIGSAW)
                .withTrafficSplit(false);
        SolvedPlan start = new ExhaustiveSearch(5_000_000).solve(base.withDemand(10)).orElseThrow();

        PerTaskRelaxation.Result r = SEARCH.capacity(start, 1e6, 0.05, Duration.ofSeconds(120), d -> { }, line -> { });
        // From 10 req/s in 5 % steps, each a plan found, to the first demand proven not served.

        assertThat(r.boundRps()).isFinite();
        assertThat(r.servedRps()).isGreaterThan(10);
        assertThat(r.boundRps()).isCloseTo(r.servedRps() * 1.05, within(1e-9));
        assertThat(r.plan().orElseThrow().evaluation().feasible()).isTrue();
        assertThat(new ExhaustiveSearch(5_000_000).solve(base.withDemand(r.boundRps()))).as("exhaustive at the bound").isEmpty();
        assertThat(r.decisions()).last().satisfies(d -> assertThat(d.verdict()).isEqualTo(PerTaskRelaxation.Verdict.NOT_SERVED));
    }

    @Test
    void refusesLokisPolicies() {
        PlanningInstance instance = loki(250);
        assertThat(PerTaskRelaxation.applies(instance.withPolicy(Policy.LOKI))).isFalse();
        assertThatThrownBy(() -> SEARCH.decide(instance.withPolicy(Policy.LOKI).withDemand(100), Duration.ofSeconds(5), line -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("loki");
    }

    private static PlanningInstance loki(double sloMs) {
        Graph graph = LokiApp.graph().withAccuracySlo(0.9).withLatencySlo(sloMs);
        Profile profile = ProfileLoader.load(graph, LokiApp.file(), List.of(), null, ShareGrid.mps(10));
        return new PlanningInstance(graph, profile, 1, 8, ShareGrid.mps(10), Policy.JIGSAW, PlanningInstance.DEFAULT_MAX_UTILISATION,
                PlanningInstance.AccuracyRule.TRAFFIC_WEIGHTED_MEAN);
    }
}
