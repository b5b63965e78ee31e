package io.jigsaw.planner.capacity;

import io.jigsaw.planner.exact.PathPlan;
import io.jigsaw.planner.exact.PathRoutingIlp;
import io.jigsaw.planner.model.PlanEvaluator;
import io.jigsaw.planner.model.PlanningInstance;
import io.jigsaw.planner.model.Policy;
import io.jigsaw.planner.model.SolvedPlan;
import io.jigsaw.planner.model.TaskOption;
import io.jigsaw.planner.solver.PlanSolver;
import io.jigsaw.planner.solver.SolverSettings;

import java.time.Duration;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * One policy's maximum serviceable demand, found the way that policy plans: Loki's policies by its
 * per-path ILP ({@link PathRoutingIlp}, the demand itself maximised, proven optimal or with the solver's
 * bound), every other policy by {@link CapacitySearch} over {@link PlanSolver}'s plans (a heuristic's
 * figure: a lower bound on the model's capacity, its bound unknown here).
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
            return Double.isNaN(boundRps) ? Double.NaN : boundRps <= 0 ? 0 : Math.max(0, (boundRps - capacityRps) / boundRps);
        }

        /** "0.0 %" or "n/a", for tables. */
        public String gapLabel() {
            return Double.isNaN(gap()) ? "n/a" : String.format(Locale.ROOT, "%.1f %%", 100 * gap());
        }
    }

    private final SolverSettings settings;
    private final double tolerance;
    private final Duration ilpLimit;

    /**
     * @param settings the heuristic's per-solve settings (stopping at the first feasible plan is added here)
     * @param tolerance the search's relative precision
     * @param ilpLimit the longest Loki's ILP may take
     */
    public PolicyCapacity(SolverSettings settings, double tolerance, Duration ilpLimit) {
        this.settings = settings;
        this.tolerance = tolerance;
        this.ilpLimit = ilpLimit;
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
        CapacitySearch.Result r = CapacitySearch.startingNear(solver::solve, tolerance)
                .search(template, progress);
        return new Figure(template.policy(), r.capacityRps(), Double.NaN, String.format(Locale.ROOT,
                "search (bisection to %.0f %%, OptaPlanner per probe)", 100 * tolerance), r.plan().map(SolvedPlan::splitTasks).orElse(0L),
                r.plan().map(s -> s.evaluation().usesDerivedRows()).orElse(false), r.reason(), r.time());
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
        return String.format(Locale.ROOT, "%s optimum: %d of %d GPUs, accuracy %.4f (floor %.4f), slowest route %.1f of %.1f ms",
                p.optimal() ? "proven" : "best found, not proven,", p.gpus(), template.gpus(), p.accuracy(),
                template.graph().accuracySlo() * new PlanEvaluator(template).bestAccuracy(), p.worstRouteMs(),
                template.graph().latencySloMs() / 2);
    }
}
