package io.jigsaw.planner.capacity;

import io.jigsaw.planner.exact.PathPlan;
import io.jigsaw.planner.exact.PathRoutingIlp;
import io.jigsaw.planner.exact.PerTaskRelaxation;
import io.jigsaw.planner.model.PlanEvaluator;
import io.jigsaw.planner.model.PlanningInstance;
import io.jigsaw.planner.model.Policy;
import io.jigsaw.planner.model.SolvedPlan;
import io.jigsaw.planner.model.TaskOption;
import io.jigsaw.planner.solver.PlanSolver;
import io.jigsaw.planner.solver.SolverSettings;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One policy's maximum serviceable demand, found the way that policy plans: Loki's policies by its
 * per-path ILP ({@link PathRoutingIlp}, the demand itself maximised, proven optimal or with the solver's
 * bound), every other policy by {@link CapacitySearch} over {@link PlanSolver}'s plans (a heuristic's
 * figure: a lower bound on the model's capacity). Where asked, the heuristic's figure gets an upper bound from the
 * per-path relaxation of the planner's model ({@link PathRoutingIlp}), then, on a tree, a tighter one from the per-task
 * branch and bound ({@link PerTaskRelaxation}: demands a tolerance apart decided until one is proven not served), so the
 * gap it prints is proven.
 */
public final class PolicyCapacity {

    /**
     * @param capacityRps the most root demand the plan found serves
     * @param boundRps the most any plan of the policy's model could serve, where proven (NaN: not known)
     * @param method how the figure was found, for people
     * @param limitedBy what stops the next step up
     */
    public record Figure(Policy policy, double capacityRps, double boundRps, String method, long splitTasks, boolean usesDerivedRows,
            String limitedBy, Duration time) {

        /** (bound − found) / bound: 0 for a proven optimum, NaN where no bound is known. */
        public double gap() {
            return Double.isNaN(boundRps) ? Double.NaN : boundRps <= 1e-6 ? 0 : Math.max(0, (boundRps - capacityRps) / boundRps);
        }

        /** "0.0 %" or "n/a", for tables. */
        public String gapLabel() {
            if (Double.isNaN(gap())) {
                return "n/a";
            }
            // Below a tenth of a percent, a second decimal: the per-task branch and bound proves gaps that small.
            return String.format(Locale.ROOT, gap() > 0 && gap() < 0.001 ? "%.2f %%" : "%.1f %%", 100 * gap());
        }
    }

    /** The longest the per-path relaxation takes for a bound: its bound is a start; the per-task search is what tightens it. */
    static final Duration PER_PATH_LIMIT = Duration.ofMinutes(2);

    /** The longest one node of the per-task branch and bound may take (a node not decided in time is split). */
    static final Duration PER_TASK_NODE_LIMIT = Duration.ofSeconds(30);

    private final SolverSettings settings;
    private final double tolerance;
    private final Duration ilpLimit;
    private final Duration boundLimit;

    /**
     * @param settings the heuristic's per-solve settings (stopping at the first feasible plan is added here)
     * @param tolerance the search's relative precision
     * @param ilpLimit the longest Loki's ILP may take
     */
    public PolicyCapacity(SolverSettings settings, double tolerance, Duration ilpLimit) {
        this(settings, tolerance, ilpLimit, Duration.ZERO);
    }

    /** @param boundLimit the longest the relaxation may take for a heuristic's bound (zero: no bound) */
    public PolicyCapacity(SolverSettings settings, double tolerance, Duration ilpLimit, Duration boundLimit) {
        this.settings = settings;
        this.tolerance = tolerance;
        this.ilpLimit = ilpLimit;
        this.boundLimit = boundLimit;
    }

    /** @param progress each probe of a search (none for an ILP, which is one solve) */
    public Figure find(PlanningInstance template, Consumer<CapacitySearch.Probe> progress) {
        if (template.policy().loki() && lokiIlpApplies(template)) {
            PathPlan p = new PathRoutingIlp(ilpLimit).capacity(template);
            return new Figure(template.policy(), p.demandRps(), p.optimal() ? p.demandRps() : p.bound(), "Loki's per-path ILP (SCIP)",
                    p.splitTasks(), p.groups().stream().anyMatch(g -> template.row(new TaskOption(g.variant(),
                            g.batch(), g.share())).derived()), limits(template, p), p.time());
        }
        PlanSolver solver = new PlanSolver(settings.firstFeasible());
        // A probe starts from the plan for the highest demand served so far, which is usually a step away; where that
        // start is a trap (no-partitioning at 60 ms on Loki's app: every probe from 136 to 256 req/s failed from its start,
        // while 148 req/s solved from scratch in a second), the probe is tried once more from scratch.
        CapacitySearch.Result r = CapacitySearch.startingNear((instance, near) -> {
            SolvedPlan p = solver.solve(instance, near);
            if (p.feasible() || near == null) {
                return p;
            }
            SolvedPlan fresh = solver.solve(instance);
            return fresh.feasible() ? fresh : p;
        }, tolerance).search(template, progress);
        String method = String.format(Locale.ROOT, "search (bisection to %s %%, OptaPlanner per probe)",
                java.math.BigDecimal.valueOf(100 * tolerance).round(new java.math.MathContext(3)).stripTrailingZeros().toPlainString());
        double bound = Double.NaN;
        double found = r.capacityRps();
        Optional<SolvedPlan> plan = r.plan();
        String limitedBy = r.reason();
        Duration time = r.time();
        boolean combinations = new PlanEvaluator(template).measuredCombinations();
        if (!boundLimit.isZero() && combinations) {
            method += "; no bound: the per-path relaxation needs a path product, this graph's accuracy is its measured combinations'";
        }
        if (!boundLimit.isZero() && lokiIlpApplies(template) && !combinations) {
            PathPlan relaxed = new PathRoutingIlp(boundLimit.compareTo(PER_PATH_LIMIT) < 0 ? boundLimit : PER_PATH_LIMIT).capacity(template);
            // The solver's proven bound holds whether or not it finished; a bound below the figure would mean the relaxation is wrong.
            bound = Math.max(relaxed.optimal() ? relaxed.demandRps() : relaxed.bound(), found);
            method += String.format(Locale.ROOT, "; bound: per-path relaxation (SCIP, %s, %.0f s)", relaxed.optimal() ? "proven" : "time limit",
                    relaxed.time().toMillis() / 1000.0);
            time = time.plus(relaxed.time());
            // Where the relaxation's plan is a plan of the planner's model, it serves more than the search found: the optimum.
            // Where it is not, the planner's search starts from its closest reading, between the two figures.
            Optional<SolvedPlan> closest = PathRoutingIlp.closestPlannerPlan(relaxed);
            if (closest.isPresent() && closest.get().feasible() && closest.get().instance().demandRps() > found) {
                found = closest.get().instance().demandRps();
                plan = closest;
                method += "; the relaxation's plan is the planner's own";
                limitedBy = relaxed.optimal() ? "proven optimum of the planner's model (the per-path relaxation's plan routes per task)"
                        : "the relaxation's best plan, a plan of the planner's model; its bound is the gap";
            } else if (closest.isPresent() && closest.get().instance().demandRps() > found * (1 + tolerance)) {
                CapacitySearch.Result above = CapacitySearch.startingNear(solver::solve, tolerance)
                        .between(template, found, closest.get().instance().demandRps(), closest.get(), probe -> { });
                time = time.plus(above.time());
                if (above.capacityRps() > found) {
                    method += "; then the search from the relaxation's plan";
                    limitedBy = "searched from the relaxation's closest plan: " + above.reason();
                    found = above.capacityRps();
                    plan = above.plan();
                }
            }
        }
        if (!boundLimit.isZero() && plan.isPresent() && !Double.isNaN(bound) && bound > found * (1 + tolerance)
                && PerTaskRelaxation.applies(template)) {
            // The per-path relaxation routes more freely than any per-task plan; deciding demands between the two figures
            // with the per-task branch and bound tightens the bound, and may find a plan above the search's.
            PerTaskRelaxation.Result exact = new PerTaskRelaxation(PER_TASK_NODE_LIMIT).capacity(plan.get(), bound, tolerance, boundLimit,
                    d -> progress.accept(new CapacitySearch.Probe(d.demandRps(), d.verdict() == PerTaskRelaxation.Verdict.SERVED)), line -> { });
            time = time.plus(exact.time());
            method += String.format(Locale.ROOT, "; per-task branch and bound (%d demand(s) decided, %d nodes, %.0f s%s)",
                    exact.decisions().size(), exact.nodes(), exact.time().toMillis() / 1000.0,
                    Double.isInfinite(exact.boundRps()) ? ": nothing proven above the figure in time" : String.format(Locale.ROOT,
                            ": no plan serves %.2f req/s", exact.boundRps()));
            if (exact.servedRps() > found) {
                found = exact.servedRps();
                plan = exact.plan();
                limitedBy = "the per-task search's best plan (a node's, or the search's stretched to the most it serves)";
            }
            if (!Double.isInfinite(exact.boundRps())) {
                bound = Math.min(bound, Math.max(exact.boundRps(), found));
                limitedBy = String.format(Locale.ROOT, "%s; proven: no plan of the model serves %.2f req/s", limitedBy, exact.boundRps());
            }
        }
        return new Figure(template.policy(), found, bound, method, plan.map(SolvedPlan::splitTasks).orElse(0L),
                plan.map(s -> s.evaluation().usesDerivedRows()).orElse(false), limitedBy, time);
    }

    /** Loki's ILP plans trees; a graph with a join is planned per task by the search, as before. */
    static boolean lokiIlpApplies(PlanningInstance template) {
        PlanEvaluator e = new PlanEvaluator(template);
        for (int t = 0; t < template.tasks().size(); t++) {
            if (!template.tasks().get(t).pseudo() && e.parents(t).length > 1) {
                return false;
            }
        }
        return true;
    }

    private static String limits(PlanningInstance template, PathPlan p) {
        if (p.routes().isEmpty()) {
            return p.optimal() ? "no plan meets the SLOs at any demand" : "the ILP found no plan in its time limit";
        }
        return String.format(Locale.ROOT, "%s optimum: %d of %d GPUs%s, accuracy %.4f (floor %.4f), slowest route %.1f of %.1f ms",
                p.optimal() ? "proven" : "best found, not proven,", p.gpus(), template.gpus(),
                template.policy().literal() ? " (one more kept for the sink, as the artifact does)" : "", p.accuracy(),
                template.graph().accuracyFloor(new PlanEvaluator(template).bestAccuracy()), p.worstRouteMs(),
                template.graph().latencySloMs() / 2);
    }
}
