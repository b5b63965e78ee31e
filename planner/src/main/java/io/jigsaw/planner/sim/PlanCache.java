package io.jigsaw.planner.sim;

import io.jigsaw.planner.model.PlanningInstance;
import io.jigsaw.planner.model.SolvedPlan;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Solves each demand level once: a long simulation re-plans hundreds of times, mostly for demands it
 * has planned before. Demands are rounded UP to a geometric grid ({@code step}, e.g. 2.5 %), so a
 * cached plan was made for at least the demand asked for.
 */
public final class PlanCache implements Function<PlanningInstance, SolvedPlan> {

    private final Function<PlanningInstance, SolvedPlan> solver;
    private final double logStep;
    private final Map<Long, SolvedPlan> plans = new HashMap<>();
    private int solves;

    public PlanCache(Function<PlanningInstance, SolvedPlan> solver, double step) {
        if (!(step > 0)) {
            throw new IllegalArgumentException("step must be > 0");
        }
        this.solver = solver;
        this.logStep = Math.log1p(step);
    }

    @Override
    public SolvedPlan apply(PlanningInstance instance) {
        long level = (long) Math.ceil(Math.log(instance.demandRps()) / logStep - 1e-9);
        return plans.computeIfAbsent(level, l -> {
            solves++;
            return solver.apply(instance.withDemand(Math.exp(l * logStep)));
        });
    }

    /** Distinct solves so far. */
    public int solves() {
        return solves;
    }
}
