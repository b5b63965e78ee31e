package io.jigsaw.planner.solver;

import java.time.Duration;

/**
 * How long {@link PlanSolver} searches: it stops at {@code limit}, or once the best plan has not
 * improved for {@code unimproved}, or (for feasibility questions such as capacity search) at the first
 * feasible plan. Its effect on plan quality is measured by {@code bench}'s PlannerBench, not guessed.
 */
public record SolverSettings(Duration limit, Duration unimproved, boolean stopAtFirstFeasible, long seed) {

    public static SolverSettings defaults() {
        return new SolverSettings(Duration.ofSeconds(5), Duration.ofMillis(500), false, 7L);
    }

    public SolverSettings firstFeasible() {
        return new SolverSettings(limit, unimproved, true, seed);
    }

    public SolverSettings withLimits(Duration newLimit, Duration newUnimproved) {
        return new SolverSettings(newLimit, newUnimproved, stopAtFirstFeasible, seed);
    }
}
