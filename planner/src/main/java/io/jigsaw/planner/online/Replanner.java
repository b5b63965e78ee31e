package io.jigsaw.planner.online;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.planner.model.PlanningInstance;
import io.jigsaw.planner.model.SolvedPlan;

import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * Online planning for one graph, with no I/O: telemetry in, decisions out. The planner sidecar
 * feeds it from Kafka and publishes its plans; the simulator feeds it simulated telemetry — one
 * piece of code decides when and what to re-plan in both. Not thread-safe.
 */
public final class Replanner {

    /**
     * Why a decision was made. {@code BEST_EFFORT}: the demand cannot be planned for, but a plan for
     * more than the plan in force (or the first plan at all) can — serving part of an overload beats
     * serving less of it.
     */
    public enum Kind { INITIAL, UP, DOWN, FANOUT, ACCURACY, BEST_EFFORT, INFEASIBLE }

    /** A measured accuracy this far (absolute, normalised) from the one the plan in force was made with re-plans. */
    static final double ACCURACY_CHANGE = 0.05;

    /** An observed fan-out this far (relative) from the one the plan in force was made with re-plans. */
    static final double FANOUT_CHANGE = 0.2;

    /** Bisection steps of a best-effort search (geometric, so 8 steps narrow a 1000x range to 2.4 %). */
    private static final int BEST_EFFORT_STEPS = 8;

    /**
     * @param solved the new plan; for {@code INFEASIBLE} the solver's best attempt, not to be used
     * @param reason what happened, for logs and the plan's note
     */
    public record Decision(Kind kind, double estimateRps, double targetRps, SolvedPlan solved, String reason) {

        public boolean hasPlan() {
            return kind != Kind.INFEASIBLE;
        }
    }

    private final PlanningInstance template;
    private final Function<PlanningInstance, SolvedPlan> solver;
    private final ReplanRule rule;
    private final DemandEstimator estimator;
    private final FanoutEstimator fanouts = new FanoutEstimator();
    private final AccuracyEstimator accuracies = new AccuracyEstimator();
    /** Plan with live measured accuracies ({@link #useMeasuredAccuracy}) instead of the offline ones. */
    private boolean measuredAccuracy;
    /** The graph (fan-outs included) the plan in force was made on. */
    private Graph plannedGraph;
    private SolvedPlan current;
    private double plannedRps;
    private long lastPlanMs;

    /** @param template what to plan on (graph, profile, GPUs, policy); its demand is replaced */
    public Replanner(PlanningInstance template, Function<PlanningInstance, SolvedPlan> solver, ReplanRule rule,
            DemandEstimator estimator) {
        this.template = template;
        this.solver = solver;
        this.rule = rule;
        this.estimator = estimator;
    }

    /** The first plan, for a demand given up front (no telemetry yet). */
    public Decision start(double expectedRps, long nowMs) {
        return plan(Kind.INITIAL, expectedRps, nowMs);
    }

    /** One telemetry window of one replica of the graph's root task. */
    public void observe(int replica, long windowEndMs, long windowMs, long arrivals) {
        estimator.observe(replica, windowEndMs, windowMs, arrivals);
    }

    /** One telemetry window's fan-out of one variant of a task to one child: pieces it ran on, pieces it sent. */
    public void observeFanout(String task, String variant, String child, long piecesIn, long piecesOut) {
        fanouts.observe(task, variant, child, piecesIn, piecesOut);
    }

    /** From now on, plan with each variant's live measured accuracy once it is trusted (jigsaw.planner.accuracy-source=measured). */
    public Replanner useMeasuredAccuracy() {
        measuredAccuracy = true;
        return this;
    }

    /** One telemetry window's scores of one variant: requests it served that carried their truth, and the sum of its task's scores. */
    public void observeAccuracy(String task, String variant, long scored, double scoreSum) {
        accuracies.observe(task, variant, scored, scoreSum);
    }

    /** What the planner now believes a variant's fan-out to a child is: observed once trusted, else declared. */
    public double fanout(String task, String variant, String child) {
        return fanouts.fanout(task, variant, child).orElseGet(() -> template.graph().task(task).orElseThrow()
                .variant(variant).orElseThrow().fanoutTo(child));
    }

    /**
     * @return a decision when the estimate has left the current plan's safe band, or when nothing was
     *     planned yet (a restarted sidecar: the plan in force was made by its predecessor, for a demand
     *     it does not know) and telemetry now gives an estimate; else empty
     */
    public Optional<Decision> tick(long nowMs) {
        if (!estimator.hasEstimate(nowMs)) {
            return Optional.empty();
        }
        double estimate = estimator.estimateRps(nowMs);
        if (plannedRps == 0) {
            return Optional.of(plan(Kind.INITIAL, estimate, nowMs));
        }
        Graph believed = plannedGraph == null ? null : believed(fanouts.apply(template.graph()));
        if (believed != null && FanoutEstimator.largestChange(plannedGraph, believed) > FANOUT_CHANGE) {
            // The load below a task is its fan-out times its rate: a plan made for another fan-out is wrong at any demand.
            return Optional.of(plan(Kind.FANOUT, estimate, nowMs));
        }
        if (measuredAccuracy && believed != null && AccuracyEstimator.largestChange(plannedGraph, believed) > ACCURACY_CHANGE) {
            // The plan's accuracy promise rested on another figure: check the SLO again with the measured one.
            return Optional.of(plan(Kind.ACCURACY, estimate, nowMs));
        }
        return switch (rule.decide(plannedRps, estimate, nowMs - lastPlanMs)) {
            case STAY -> Optional.empty();
            case UP -> Optional.of(plan(Kind.UP, estimate, nowMs));
            case DOWN -> Optional.of(plan(Kind.DOWN, estimate, nowMs));
        };
    }

    private Decision plan(Kind kind, double estimate, long nowMs) {
        double target = rule.target(estimate);
        Graph withFanouts = fanouts.apply(template.graph());
        plannedGraph = believed(withFanouts);
        SolvedPlan solved = solver.apply(template.withGraph(plannedGraph).withDemand(target));
        // Either way the band moves to the target: an infeasible demand is not retried every tick,
        // only when the estimate leaves the new band (more demand still, or back down).
        plannedRps = target;
        lastPlanMs = nowMs;
        if (!solved.feasible()) {
            String why = String.format(Locale.ROOT, "no feasible plan for %.1f req/s (estimate %.1f + headroom): %s", target, estimate,
                    String.join("; ", solved.evaluation().problems()));
            Optional<SolvedPlan> most = mostThatFits(target);
            if (most.isPresent()) {
                current = most.get();
                return new Decision(Kind.BEST_EFFORT, estimate, target, current, String.format(Locale.ROOT,
                        "best effort: %s; planned for the most that fits, %.1f req/s", why, current.instance().demandRps()));
            }
            return new Decision(Kind.INFEASIBLE, estimate, target, solved,
                    why + "; " + (current == null ? "no plan in force yet" : "keeping the plan in force"));
        }
        current = solved;
        String observed = (withFanouts != template.graph() ? ", with observed fan-outs" : "")
                + (plannedGraph != withFanouts ? ", with measured accuracies" : "");
        return new Decision(kind, estimate, target, solved, String.format(Locale.ROOT,
                "%s: demand estimate %.1f req/s, planned for %.1f req/s (band %.1f .. %.1f)%s", reason(kind), estimate, target,
                rule.lowerEdge(target), rule.upperEdge(target), observed));
    }

    private static String reason(Kind kind) {
        return switch (kind) {
            case FANOUT -> "fan-out changed";
            case ACCURACY -> "measured accuracy changed";
            default -> kind.name().toLowerCase(Locale.ROOT);
        };
    }

    /** The graph as the planner now believes it: the observed fan-outs given and, if asked, measured accuracies. */
    private Graph believed(Graph withFanouts) {
        return measuredAccuracy ? accuracies.apply(withFanouts) : withFanouts;
    }

    /** The feasible plan for the highest demand between the plan in force's and {@code target}, if above the former. */
    private Optional<SolvedPlan> mostThatFits(double target) {
        double low = current == null ? rule.minDemandRps() : current.instance().demandRps();
        SolvedPlan best = null;
        if (current == null) {
            SolvedPlan floor = solver.apply(template.withGraph(plannedGraph).withDemand(low));
            if (!floor.feasible()) {
                return Optional.empty();
            }
            best = floor;
        }
        double high = target;
        for (int i = 0; i < BEST_EFFORT_STEPS && high / low > 1.01; i++) {
            double mid = Math.sqrt(low * high);
            SolvedPlan s = solver.apply(template.withGraph(plannedGraph).withDemand(mid));
            if (s.feasible()) {
                best = s;
                low = mid;
            } else {
                high = mid;
            }
        }
        return Optional.ofNullable(best);
    }

    public Optional<SolvedPlan> current() {
        return Optional.ofNullable(current);
    }

    public double plannedRps() {
        return plannedRps;
    }

    public double estimateRps(long nowMs) {
        return estimator.estimateRps(nowMs);
    }
}
