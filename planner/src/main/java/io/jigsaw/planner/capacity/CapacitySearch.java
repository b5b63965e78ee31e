package io.jigsaw.planner.capacity;

import io.jigsaw.planner.model.PlanningInstance;
import io.jigsaw.planner.model.SolvedPlan;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Maximum serviceable demand (DESIGN.md): the highest root rate for which the policy finds a feasible
 * plan on the instance's GPUs. Doubles the rate from 1 req/s until no plan is found, then bisects to
 * {@code tolerance} (relative). Feasibility is asked of a solver, so for a heuristic solver the figure
 * is what that solver finds, a lower bound on the model's true capacity.
 */
public final class CapacitySearch {

    private static final double START_RPS = 1.0;
    private static final double CEILING_RPS = 1e7;

    private final BiFunction<PlanningInstance, SolvedPlan, SolvedPlan> solver;
    private final double tolerance;

    /** @param solver answers one demand with its best plan (feasible or not) */
    public CapacitySearch(Function<PlanningInstance, SolvedPlan> solver, double tolerance) {
        this.solver = (instance, near) -> solver.apply(instance);
        this.tolerance = tolerance;
    }

    /**
     * @param solver answers one demand with its best plan (feasible or not), given the feasible plan for the highest demand probed so
     *     far (null before the first): each probe above it is near it, so a solver may start there
     */
    public static CapacitySearch startingNear(BiFunction<PlanningInstance, SolvedPlan, SolvedPlan> solver, double tolerance) {
        return new CapacitySearch(solver, tolerance);
    }

    private CapacitySearch(BiFunction<PlanningInstance, SolvedPlan, SolvedPlan> solver, double tolerance) {
        this.solver = solver;
        this.tolerance = tolerance;
    }

    /**
     * @param capacityRps 0 when not even {@code START_RPS} can be served
     * @param plan the feasible plan at the capacity, if any
     * @param reason why the next step up (or the first step) has no plan
     */
    public record Result(double capacityRps, Optional<SolvedPlan> plan, String reason, int probes, Duration time) {
    }

    /** One probe, for progress output. */
    public record Probe(double demandRps, boolean feasible) {
    }

    public Result search(PlanningInstance instance, Consumer<Probe> progress) {
        long start = System.nanoTime();
        int probes = 0;
        SolvedPlan best = null;
        double lo = 0;
        double hi = START_RPS;
        SolvedPlan failed = null;
        while (hi <= CEILING_RPS) {
            SolvedPlan p = solver.apply(instance.withDemand(hi), best);
            probes++;
            progress.accept(new Probe(hi, p.feasible()));
            if (!p.feasible()) {
                failed = p;
                break;
            }
            best = p;
            lo = hi;
            hi *= 2;
        }
        Bisection b = new Bisection(lo, hi, best, best, failed, probes);
        if (failed != null && best != null) {
            b.run(instance, progress);
        }
        String reason = b.failed == null ? "feasible up to the search ceiling of " + CEILING_RPS + " req/s" : reason(b.failed);
        return new Result(b.lo, Optional.ofNullable(b.best), reason, b.probes, Duration.ofNanos(System.nanoTime() - start));
    }

    /**
     * Bisects between a demand known to be served and one above it, to the tolerance: each probe starts from {@code start}
     * until one is served, then from the last plan served.
     *
     * @return the highest demand served ({@code lo} when no probe above it is), with the plan of the probe that served it, if any
     */
    public Result between(PlanningInstance instance, double lo, double hi, SolvedPlan start, Consumer<Probe> progress) {
        long begin = System.nanoTime();
        Bisection b = new Bisection(lo, hi, start, null, null, 0);
        b.run(instance, progress);
        String reason = b.failed == null ? String.format(java.util.Locale.ROOT, "every probe up to %.2f req/s served", b.hi) : reason(b.failed);
        return new Result(b.lo, Optional.ofNullable(b.best), reason, b.probes, Duration.ofNanos(System.nanoTime() - begin));
    }

    /** The halving of [lo, hi], and what it found: the last plan served ({@code best}), the last not ({@code failed}). */
    private final class Bisection {
        double lo;
        double hi;
        SolvedPlan near;
        SolvedPlan best;
        SolvedPlan failed;
        int probes;

        Bisection(double lo, double hi, SolvedPlan near, SolvedPlan best, SolvedPlan failed, int probes) {
            this.lo = lo;
            this.hi = hi;
            this.near = near;
            this.best = best;
            this.failed = failed;
            this.probes = probes;
        }

        void run(PlanningInstance instance, Consumer<Probe> progress) {
            while ((hi - lo) / lo > tolerance) {
                double mid = (lo + hi) / 2;
                SolvedPlan p = solver.apply(instance.withDemand(mid), near);
                probes++;
                progress.accept(new Probe(mid, p.feasible()));
                if (p.feasible()) {
                    best = p;
                    near = p;
                    lo = mid;
                } else {
                    failed = p;
                    hi = mid;
                }
            }
        }
    }

    private static String reason(SolvedPlan failed) {
        return String.format(java.util.Locale.ROOT, "at %.2f req/s: %s", failed.instance().demandRps(), String.join("; ", reasons(failed)));
    }

    private static List<String> reasons(SolvedPlan failed) {
        List<String> r = failed.evaluation().problems();
        return r.isEmpty() ? List.of("no feasible plan found") : r;
    }
}
