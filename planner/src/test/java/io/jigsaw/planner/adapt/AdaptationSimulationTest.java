package io.jigsaw.planner.adapt;

import io.jigsaw.core.plan.AdaptationMode;
import io.jigsaw.core.trace.Trace;
import io.jigsaw.core.trace.TraceFiles;
import io.jigsaw.planner.sim.SimulationResult;
import io.jigsaw.planner.sim.Simulator;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The simulator runs a plan's ladder and cascade as the job does (a SIMULATION: profile latencies). */
class AdaptationSimulationTest {

    static SimulationResult simulate(AdaptationMode mode, String trace) {
        Trace t = TraceFiles.open(trace);
        // One plan for the whole trace (made for its opening rate): what the adaptation does inside it.
        return new Simulator(PlanAdapterTest.instance(0.9), PlanAdapterTest.SOLVER::solve,
                Simulator.Settings.defaults().withReplan(false).withSeed(3), new PlanAdapter(mode, PlanAdapterTest.confidence()))
                .run(t, f -> { });
    }

    @Test
    void underASpikeTheLadderStepsDownToFasterRungsAndMissesFewerDeadlinesThanThePlansVariantAlone() {
        // l alone serves 250/s on its replica; 400/s arrive for 10 s.
        String spike = "step:rate=100,factor=4,at=5,until=15,duration=25,seed=4";

        SimulationResult fixed = simulate(AdaptationMode.NONE, spike);
        SimulationResult ladder = simulate(AdaptationMode.LADDER, spike);

        assertThat(fixed.sloViolationPct()).isGreaterThan(5);
        assertThat(ladder.sloViolationPct()).isLessThan(fixed.sloViolationPct() / 2);
        assertThat(ladder.tasks().get(0).rungBatches()).containsKeys("l", "m");
        assertThat(fixed.tasks().get(0).rungBatches()).containsOnlyKeys("l");
    }

    @Test
    void aCascadeEscalatesTheShareTheValidationSamplesSayAndKeepsTheirAccuracy() {
        String calm = "poisson:rate=50,duration=60,seed=5";

        SimulationResult fixed = simulate(AdaptationMode.NONE, calm);
        SimulationResult cascade = simulate(AdaptationMode.CASCADE, calm);

        SimulationResult.TaskStats c = cascade.tasks().get(0);
        assertThat(c.cascadeInputs()).isEqualTo(cascade.completed());
        assertThat((double) c.escalated() / c.cascadeInputs()).isCloseTo(0.5, within(0.03));
        assertThat(c.rungBatches()).containsOnlyKeys("s", "l");
        assertThat(cascade.accuracy()).isCloseTo(fixed.accuracy(), within(0.02));
        assertThat(cascade.sloViolationPct()).isZero();
    }

    @Test
    void aPlansExpectedAccuracyWithItsAdaptationComesFromASimulationAtTheDemandItWasMadeFor() {
        io.jigsaw.planner.model.SolvedPlan solved = PlanAdapterTest.solved(0.9);

        io.jigsaw.planner.sim.ExpectedMix.Expected ladder = io.jigsaw.planner.sim.ExpectedMix.of(solved,
                new PlanAdapter(AdaptationMode.LADDER, PlanAdapterTest.confidence()));
        io.jigsaw.planner.sim.ExpectedMix.Expected cascade = io.jigsaw.planner.sim.ExpectedMix.of(solved,
                new PlanAdapter(AdaptationMode.CASCADE, PlanAdapterTest.confidence()));

        // 10 req/s on a replica that serves 250/s: every batch has the slack for l, the plan's own variant.
        assertThat(ladder.accuracy()).isCloseTo(solved.evaluation().accuracy(), within(1e-9));
        assertThat(ladder.sloAttainment()).isEqualTo(1.0);
        // s then l below 0.3 is as accurate as l on the validation samples: in expectation, the same.
        assertThat(cascade.accuracy()).isCloseTo(solved.evaluation().accuracy(), within(0.05));
        assertThat(cascade.describe()).contains("SIMULATION");
    }
}
