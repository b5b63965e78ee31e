package io.jigsaw.planner.sim;

import io.jigsaw.core.trace.TraceFiles;
import io.jigsaw.planner.adapt.PlanAdapter;
import io.jigsaw.planner.model.SolvedPlan;

import java.util.Locale;

/**
 * What a plan with per-request adaptation is expected to serve at the demand it was made for: the
 * adapted plan under Poisson arrivals at that rate, simulated (a SIMULATION: profile latencies) —
 * the accuracy of the mix of rungs and escalations beside the plan's own accuracy, which assumes
 * every piece runs the plan's variant.
 */
public final class ExpectedMix {

    /** Seconds of arrivals simulated: enough batches to settle a mix, little enough to run at every re-plan. */
    static final int SECONDS = 20;

    /** @param accuracy normalised as the plan's; {@code sloAttainment} a fraction */
    public record Expected(double accuracy, double planAccuracy, double sloAttainment) {

        public String describe() {
            return String.format(Locale.ROOT, "expected with it at the planned demand (SIMULATION, %d s Poisson): accuracy %.4f"
                    + " (the planner's plan without it %.4f), SLO attainment %.1f %%", SECONDS, accuracy, planAccuracy, 100 * sloAttainment);
        }
    }

    private ExpectedMix() {
    }

    public static Expected of(SolvedPlan solved, PlanAdapter adapter) {
        double rps = Math.max(1, solved.instance().demandRps());
        SimulationResult r = new Simulator(solved.instance(), i -> solved, Simulator.Settings.defaults().withReplan(false).withSeed(1),
                adapter).run(TraceFiles.open(String.format(Locale.ROOT, "poisson:rate=%.3f,duration=%d,seed=1", rps, SECONDS)), f -> { });
        return new Expected(r.accuracy(), solved.evaluation().accuracy(), 1 - r.sloViolationPct() / 100);
    }
}
