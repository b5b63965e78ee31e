package io.jigsaw.planner.exact;

import com.google.ortools.Loader;
import com.google.ortools.linearsolver.MPConstraint;
import com.google.ortools.linearsolver.MPSolver;
import com.google.ortools.linearsolver.MPVariable;
import io.jigsaw.core.graph.Task;
import io.jigsaw.core.graph.Variant;
import io.jigsaw.planner.exact.GroupReadings.Group;
import io.jigsaw.planner.model.Evaluation;
import io.jigsaw.planner.model.PlanEvaluator;
import io.jigsaw.planner.model.PlanningInstance;
import io.jigsaw.planner.model.SolvedPlan;
import io.jigsaw.planner.model.Spill;
import io.jigsaw.planner.model.TaskOption;
import io.jigsaw.planner.solver.PlanSolver;
import io.jigsaw.planner.solver.SolverSettings;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.ToDoubleFunction;

/**
 * Whether any plan of the planner's model serves a demand, decided by branch and bound over the splits of the tasks
 * that feed others; and from it the model's capacity, stepping up from a plan until a demand is proven not served.
 *
 * <p>Why: the per-path relaxation ({@link PathRoutingIlp}) may route a cheap detector's frames, which yield few pieces,
 * to the accurate classifier and the accurate detector's many pieces to the cheap one. The planner's plans cannot (a
 * task splits its pieces the same whatever variant above produced them), and on Loki's traffic-analysis app at 250 ms
 * that freedom alone keeps the relaxation 2 % above every per-task plan. Per task, the model is linear but for two
 * products: a path's accuracy is the product of its tasks' (each its groups' accuracies weighted by their traffic), and
 * a task's rate is its parent's times the fan-out of the parent's variant mix.
 *
 * <p>How, at a fixed demand D: every <em>upper</em> task (a model task with a model task below it) is confined, per
 * node, to two of its variants a and b and an interval [lo, hi] of φ, the fraction of its pieces that b takes. A path's
 * accuracy times D is its lowest task's accuracy-weighted pieces Q times the product, over the tasks above, of accuracy
 * / fan-out towards the path, each a ratio of two linear functions of that task's φ. For the first upper task (whose rate
 * is a fixed multiple of D, so φ is linear in its groups' rates) the ratio is bounded above by a line in φ (a tangent
 * where it is concave, the chord where convex) and φ·Q by its McCormick envelope; other upper tasks' ratios by their
 * best end. The node is then a MILP (OR-Tools' SCIP) that keeps the planner's rules as {@link PathRoutingIlp}'s
 * relaxation does (at most two groups per task, each group's least Nexus bound, paths within the limit, shares summed
 * with the per-size packing cuts) and two more: of a task's two groups one runs full (the planner's split does; the
 * other may run at any rate up to its replicas'), and a group's fill time fits what its path leaves it. Each rule holds
 * of every plan of the model, and every plan lies in some node, so a node whose MILP is infeasible holds none. A
 * feasible node's solution is read as a plan of the model ({@link GroupReadings}) and checked with {@link PlanEvaluator} at D: a
 * feasible reading proves D served. Otherwise the node is split at the middle of its widest interval. If every node
 * closes, no plan serves D; nor any higher demand, since the relaxation's plans scale down (every rate × D'/D keeps every
 * rule), so D is an upper bound on the model's capacity.
 *
 * <p>Trees only (a pseudo-task such as Loki's sink may join), with the path-product accuracy rule.
 */
public final class PerTaskRelaxation {

    static {
        Loader.loadNativeLibraries();
    }

    /** A node narrower than this in every interval is not split further (it stays undecided). */
    static final double NARROWEST = 1e-7;

    /** What the search proved about one demand. */
    public enum Verdict {
        /** A plan of the model serves it (the plan is given). */
        SERVED,
        /** No plan of the model serves it, nor any higher demand. */
        NOT_SERVED,
        /** The time ran out (or a node could not be split further) before either was proven. */
        UNDECIDED
    }

    /** One demand's outcome: the verdict, the plan that serves it where one was found, nodes solved. */
    public record Decision(double demandRps, Verdict verdict, Optional<SolvedPlan> plan, int nodes, Duration time) {
    }

    /**
     * @param servedRps the most demand proven served (by {@link #plan} or the known plan given)
     * @param boundRps the least demand proven not served: the model's capacity is below it (infinite where none was)
     */
    public record Result(double servedRps, double boundRps, Optional<SolvedPlan> plan, List<Decision> decisions, Duration time) {

        public int nodes() {
            return decisions.stream().mapToInt(Decision::nodes).sum();
        }
    }

    private final Duration nodeLimit;

    /** @param nodeLimit the longest one node's MILP may take (a node not decided in time is split) */
    public PerTaskRelaxation(Duration nodeLimit) {
        this.nodeLimit = nodeLimit;
    }

    /** Whether the instance is one this search handles: a tree, accuracy the path product, not one of Loki's policies. */
    public static boolean applies(PlanningInstance instance) {
        PlanEvaluator e = new PlanEvaluator(instance);
        if (instance.policy().loki() || e.measuredCombinations()) {
            return false;
        }
        for (int t = 0; t < instance.tasks().size(); t++) {
            // A join runs once per request: a model task at or below one is not a product of fan-outs.
            if (e.parents(t).length > 1 && (!instance.tasks().get(t).pseudo() || hasChildren(instance, t))) {
                return false;
            }
        }
        return true;
    }

    private static boolean hasChildren(PlanningInstance instance, int t) {
        String name = instance.tasks().get(t).name();
        return instance.tasks().stream().anyMatch(c -> c.after().contains(name));
    }

    /**
     * The model's capacity from a plan known to serve its instance's demand, stepping up by {@code tolerance}: each step
     * decides the demand a fraction {@code tolerance} above the highest served so far ({@link #decide}); a plan found
     * there becomes the next start, and the first demand proven not served is the bound (the gap is then at most the
     * tolerance). Where the heuristic is near the optimum this takes one or two decisions. Stops at {@code above} (a
     * demand already known not served, such as the per-path relaxation's bound), at a demand left undecided, or when
     * {@code limit} has passed; the bound is then infinite (not proven here).
     */
    public Result capacity(SolvedPlan served, double above, double tolerance, Duration limit, Consumer<Decision> decided,
            Consumer<String> progress) {
        PlanningInstance template = served.instance();
        requireApplies(template);
        long start = System.nanoTime();
        long deadline = start + limit.toNanos();
        SolvedPlan best = higher(served, above);
        double bound = Double.POSITIVE_INFINITY;
        List<Decision> decisions = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            double lo = best.instance().demandRps();
            double probe = Math.min(lo * (1 + tolerance), above);
            if (probe <= lo) {
                break;
            }
            Decision d = decide(template.withDemand(probe), Duration.ofNanos(deadline - System.nanoTime()), progress);
            decisions.add(d);
            decided.accept(d);
            if (d.verdict() == Verdict.SERVED) {
                best = higher(d.plan().orElseThrow(), above);
            } else {
                if (d.verdict() == Verdict.NOT_SERVED) {
                    bound = probe;
                }
                break;
            }
        }
        return new Result(best.instance().demandRps(), bound, Optional.of(best), decisions, Duration.ofNanos(System.nanoTime() - start));
    }

    /** The same plan at the highest demand below {@code above} it serves, if that is more than its own. */
    private static SolvedPlan higher(SolvedPlan plan, double above) {
        SolvedPlan up = highestServed(plan.instance(), plan.choice().toArray(TaskOption[]::new), plan.spills().toArray(Spill[]::new), above);
        return up != null && up.instance().demandRps() > plan.instance().demandRps() ? up : plan;
    }

    /** Whether any plan of the model serves the instance's demand: nodes are solved until one is or all close, or the time runs out. */
    public Decision decide(PlanningInstance instance, Duration limit, Consumer<String> progress) {
        requireApplies(instance);
        long start = System.nanoTime();
        long deadline = start + limit.toNanos();
        Shape shape = new Shape(instance);
        Deque<Node> open = new ArrayDeque<>(shape.roots());
        int nodes = 0;
        boolean undecided = false;
        while (!open.isEmpty()) {
            if (System.nanoTime() > deadline) {
                undecided = true;
                break;
            }
            Node node = open.pop();
            NodeModel model = new NodeModel(shape, node);
            long left = deadline - System.nanoTime();
            long began = System.nanoTime();
            NodeModel.Outcome outcome = model.solve(Duration.ofNanos(Math.max(100_000_000L, Math.min(nodeLimit.toNanos(), left))));
            nodes++;
            progress.accept(String.format(Locale.ROOT, "  node %d %s: %s in %.1f s (%d open)", nodes, node.describe(shape), outcome.status(),
                    (System.nanoTime() - began) / 1e9, open.size()));
            if (outcome.infeasible()) {
                continue;
            }
            if (outcome.groups() != null) {
                SolvedPlan plan = asPlannerPlan(shape, outcome.groups(), instance.demandRps());
                if (plan != null && plan.instance().demandRps() >= instance.demandRps() * (1 - 1e-9)) {
                    return new Decision(instance.demandRps(), Verdict.SERVED, Optional.of(plan), nodes, Duration.ofNanos(System.nanoTime() - start));
                }
            }
            Optional<Node[]> halves = node.split();
            if (halves.isEmpty()) {
                // Nothing left to split: the node's solution is one the rules this relaxation leaves loose (fill times,
                // packing) may reject. The heuristic planner, started from its reading, may still find a plan nearby.
                SolvedPlan near = outcome.groups() == null ? null : reading(shape, outcome.groups(), instance.demandRps());
                SolvedPlan polished = near == null ? null : new PlanSolver(SolverSettings.defaults().firstFeasible()).solve(instance, near);
                if (polished != null && polished.feasible()) {
                    return new Decision(instance.demandRps(), Verdict.SERVED, Optional.of(polished), nodes,
                            Duration.ofNanos(System.nanoTime() - start));
                }
                undecided = true;
                continue;
            }
            open.push(halves.get()[1]);
            open.push(halves.get()[0]);
        }
        return new Decision(instance.demandRps(), undecided ? Verdict.UNDECIDED : Verdict.NOT_SERVED, Optional.empty(), nodes,
                Duration.ofNanos(System.nanoTime() - start));
    }

    private static void requireApplies(PlanningInstance instance) {
        if (!applies(instance)) {
            throw new IllegalArgumentException("the per-task relaxation decides trees with a path-product accuracy under the planner's "
                    + "policies; graph " + instance.graph().name() + " under " + instance.policy().cliName() + " is not one");
        }
    }

    /** The first reading of a node's solution at the demand, feasible or not (a start for the heuristic planner). */
    private static SolvedPlan reading(Shape shape, List<List<Group>> groups, double demand) {
        GroupReadings.Reading first = GroupReadings.of(groups, shape.evaluator).get(0);
        PlanningInstance at = shape.instance.withDemand(demand);
        return new SolvedPlan(at, List.of(first.choice()), List.of(first.spills()),
                new PlanEvaluator(at).evaluate(first.choice(), first.spills(), true), "per-task relaxation", Duration.ZERO, Duration.ZERO);
    }

    /**
     * A node's solution as a plan of the planner's model ({@link GroupReadings}, every way round), at the highest demand up
     * to the node's at which the planner's evaluator finds it feasible; the reading that serves most, or null.
     */
    private static SolvedPlan asPlannerPlan(Shape shape, List<List<Group>> groups, double demand) {
        SolvedPlan best = null;
        for (GroupReadings.Reading r : GroupReadings.of(groups, shape.evaluator)) {
            SolvedPlan plan = highestServed(shape.instance, r.choice(), r.spills(), demand);
            if (plan != null && (best == null || plan.instance().demandRps() > best.instance().demandRps())) {
                best = plan;
            }
        }
        return best;
    }

    /**
     * The highest demand (to a millionth of {@code most}) at which one fixed plan is feasible, by bisection below
     * {@code most}, or null. Feasibility need not be monotone in the demand (replicas round up), so this is a demand the
     * plan serves, not always the highest.
     */
    static SolvedPlan highestServed(PlanningInstance instance, TaskOption[] choice, Spill[] spills, double most) {
        double lo = 0;
        double hi = most;
        SolvedPlan served = at(instance, choice, spills, most);
        if (served != null) {
            return served;
        }
        while (hi - lo > most * 1e-6) {
            double mid = (lo + hi) / 2;
            SolvedPlan p = at(instance, choice, spills, mid);
            if (p != null) {
                served = p;
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return served;
    }

    private static SolvedPlan at(PlanningInstance instance, TaskOption[] choice, Spill[] spills, double demand) {
        PlanningInstance at = instance.withDemand(demand);
        Evaluation e = new PlanEvaluator(at).evaluate(choice, spills, true);
        return e.feasible() ? new SolvedPlan(at, List.of(choice), List.of(spills), e, "per-task relaxation", Duration.ZERO, Duration.ZERO)
                : null;
    }

    /** What does not change between nodes: the tasks, which feed others, their options and the relaxation's constants. */
    static final class Shape {
        final PlanningInstance instance;
        final PlanEvaluator evaluator;
        final RelaxedOptions options;
        final int n;
        /** Per task: its parent (−1 for a root). */
        final int[] parent;
        /** Per task: whether it is a model task with a model task below it (its split is branched on). */
        final boolean[] upper;
        /** Per path: its last model task when that is not an upper task (its traffic is the node's variable), else −1. */
        final int[] lowest;

        Shape(PlanningInstance instance) {
            this.instance = instance;
            this.evaluator = new PlanEvaluator(instance);
            this.options = new RelaxedOptions(instance, evaluator);
            this.n = instance.tasks().size();
            parent = new int[n];
            for (int t = 0; t < n; t++) {
                parent[t] = evaluator.parents(t).length == 0 ? -1 : evaluator.parents(t)[0];
            }
            upper = new boolean[n];
            for (int t = 0; t < n; t++) {
                if (instance.tasks().get(t).pseudo()) {
                    continue;
                }
                for (int u = parent[t]; u >= 0; u = parent[u]) {
                    if (!instance.tasks().get(u).pseudo()) {
                        upper[u] = true;
                    }
                }
            }
            int[][] paths = evaluator.paths();
            lowest = new int[paths.length];
            for (int p = 0; p < paths.length; p++) {
                lowest[p] = -1;
                for (int t : paths[p]) {
                    if (!instance.tasks().get(t).pseudo()) {
                        lowest[p] = upper[t] ? -1 : t;
                    }
                }
            }
        }

        /** The first nodes: every upper task on every pair of its variants (a single variant where it has one), b's fraction in [0, 1]. */
        List<Node> roots() {
            List<Node> out = new ArrayList<>();
            int[] a = new int[n];
            int[] b = new int[n];
            double[] lo = new double[n];
            double[] hi = new double[n];
            Arrays.fill(hi, 1);
            enumerate(0, a, b, lo, hi, out);
            return out;
        }

        private void enumerate(int t, int[] a, int[] b, double[] lo, double[] hi, List<Node> out) {
            if (t == n) {
                out.add(new Node(a.clone(), b.clone(), lo.clone(), hi.clone()));
                return;
            }
            int variants = options.variants(t).size();
            if (!upper[t] || variants <= 1) {
                a[t] = 0;
                b[t] = 0;
                enumerate(t + 1, a, b, lo, hi, out);
                return;
            }
            if (!instance.splits()) {
                for (int v = 0; v < variants; v++) {
                    a[t] = v;
                    b[t] = v;
                    enumerate(t + 1, a, b, lo, hi, out);
                }
                return;
            }
            for (int i = 0; i < variants; i++) {
                for (int j = i + 1; j < variants; j++) {
                    a[t] = i;
                    b[t] = j;
                    enumerate(t + 1, a, b, lo, hi, out);
                }
            }
        }
    }

    /** Per upper task: two variants a, b (indices into its usable variants; a == b: that one alone) and b's fraction of its pieces. */
    record Node(int[] a, int[] b, double[] lo, double[] hi) {

        String describe(Shape shape) {
            StringBuilder out = new StringBuilder();
            for (int t = 0; t < a.length; t++) {
                if (!shape.upper[t]) {
                    continue;
                }
                List<String> vs = shape.options.variants(t);
                out.append(a[t] == b[t] ? vs.get(a[t]) : String.format(Locale.ROOT, "%s/%s [%.6f, %.6f]", vs.get(a[t]), vs.get(b[t]), lo[t], hi[t]));
            }
            return out.toString();
        }

        /** Two halves at the middle of the widest interval, or none where every interval is a point. */
        Optional<Node[]> split() {
            int widest = -1;
            for (int t = 0; t < a.length; t++) {
                if (a[t] != b[t] && hi[t] - lo[t] > NARROWEST && (widest < 0 || hi[t] - lo[t] > hi[widest] - lo[widest])) {
                    widest = t;
                }
            }
            if (widest < 0) {
                return Optional.empty();
            }
            double mid = (lo[widest] + hi[widest]) / 2;
            double[] lowerHi = hi.clone();
            lowerHi[widest] = mid;
            double[] upperLo = lo.clone();
            upperLo[widest] = mid;
            return Optional.of(new Node[] {new Node(a, b, lo, lowerHi), new Node(a, b, upperLo, hi)});
        }
    }

    /** One node's MILP at the instance's demand. */
    static final class NodeModel {
        record Outcome(String status, boolean infeasible, List<List<Group>> groups) {
        }

        final Shape shape;
        final Node node;
        final double demand;
        final MPSolver solver = MPSolver.createSolver("SCIP");
        final List<Map<TaskOption, MPVariable>> replicas = new ArrayList<>();
        final List<Map<TaskOption, MPVariable>> rates = new ArrayList<>();
        final List<Map<TaskOption, MPVariable>> used = new ArrayList<>();

        NodeModel(Shape shape, Node node) {
            if (solver == null) {
                throw new IllegalStateException("OR-Tools' SCIP is not available in this build");
            }
            this.shape = shape;
            this.node = node;
            this.demand = shape.instance.demandRps();
            for (int t = 0; t < shape.n; t++) {
                groups(t);
            }
            for (int t = 0; t < shape.n; t++) {
                flow(t);
            }
            shape.options.packing(solver, replicas);
            latencies();
            accuracy();
        }

        /** Task t's options (an upper task's of its node's two variants only), each with replicas, a used flag and a rate. */
        void groups(int t) {
            Map<TaskOption, MPVariable> x = new LinkedHashMap<>();
            Map<TaskOption, MPVariable> y = new LinkedHashMap<>();
            Map<TaskOption, MPVariable> lambda = new LinkedHashMap<>();
            replicas.add(x);
            used.add(y);
            rates.add(lambda);
            if (shape.instance.tasks().get(t).pseudo()) {
                return;
            }
            RelaxedOptions o = shape.options;
            List<String> variants = o.variants(t);
            MPConstraint groups = solver.makeConstraint(0, shape.instance.splits() ? 2 : 1, "groups_" + t);
            // The planner's split runs its replicas full and the main group takes the rest: of two groups, one is full.
            MPConstraint oneFull = solver.makeConstraint(-1, Double.POSITIVE_INFINITY, "one_full_" + t);
            for (int v = 0; v < variants.size(); v++) {
                if (shape.upper[t] && v != node.a[t] && v != node.b[t]) {
                    continue;
                }
                for (TaskOption option : o.options(t, variants.get(v))) {
                    int mostReplicas = o.mostReplicas(option);
                    if (mostReplicas < 1) {
                        continue;
                    }
                    MPVariable xo = solver.makeIntVar(0, mostReplicas, "x_" + t + "_" + option);
                    MPVariable yo = solver.makeBoolVar("y_" + t + "_" + option);
                    MPVariable lo = solver.makeNumVar(0, mostReplicas * o.perReplica(option), "l_" + t + "_" + option);
                    x.put(option, xo);
                    y.put(option, yo);
                    lambda.put(option, lo);
                    groups.setCoefficient(yo, 1);
                    MPConstraint serves = solver.makeConstraint(Double.NEGATIVE_INFINITY, 0);
                    serves.setCoefficient(lo, 1);
                    serves.setCoefficient(xo, -o.perReplica(option));
                    MPConstraint onlyUsed = solver.makeConstraint(Double.NEGATIVE_INFINITY, 0);
                    onlyUsed.setCoefficient(xo, 1);
                    onlyUsed.setCoefficient(yo, -mostReplicas);
                    MPConstraint oneAtLeast = solver.makeConstraint(0, Double.POSITIVE_INFINITY);
                    oneAtLeast.setCoefficient(xo, 1);
                    oneAtLeast.setCoefficient(yo, -1);
                    double bigM = mostReplicas * o.perReplica(option);
                    MPVariable fo = solver.makeBoolVar("full_" + t + "_" + option);
                    MPConstraint full = solver.makeConstraint(-bigM, Double.POSITIVE_INFINITY);
                    full.setCoefficient(lo, 1);
                    full.setCoefficient(xo, -o.perReplica(option));
                    full.setCoefficient(fo, -bigM);
                    MPConstraint fullIfUsed = solver.makeConstraint(Double.NEGATIVE_INFINITY, 0);
                    fullIfUsed.setCoefficient(fo, 1);
                    fullIfUsed.setCoefficient(yo, -1);
                    oneFull.setCoefficient(fo, 1);
                    oneFull.setCoefficient(yo, -1);
                }
            }
        }

        /**
         * Pieces per second into task t as a constant (the demand × fan-outs, where only pseudo-tasks are above) plus
         * coefficients over the parent's groups' rates.
         */
        record Rate(double constant, Map<MPVariable, Double> terms) {
        }

        Rate rateInto(int t) {
            int p = shape.parent[t];
            if (p < 0) {
                return new Rate(demand, Map.of());
            }
            String child = shape.instance.tasks().get(t).name();
            Task parentTask = shape.instance.tasks().get(p);
            if (parentTask.pseudo()) {
                double f = shape.evaluator.variantOf(p, parentTask.variants().get(0).name()).fanoutTo(child);
                Rate above = rateInto(p);
                Map<MPVariable, Double> terms = new LinkedHashMap<>();
                above.terms().forEach((v, c) -> terms.put(v, c * f));
                return new Rate(above.constant() * f, terms);
            }
            Map<MPVariable, Double> terms = new LinkedHashMap<>();
            for (Map.Entry<TaskOption, MPVariable> e : rates.get(p).entrySet()) {
                terms.merge(e.getValue(), shape.evaluator.variantOf(p, e.getKey().variant()).fanoutTo(child), Double::sum);
            }
            return new Rate(0, terms);
        }

        /** The groups of task t take all the pieces that reach it; an upper task's b takes a fraction of them in the node's interval. */
        void flow(int t) {
            if (shape.instance.tasks().get(t).pseudo()) {
                return;
            }
            Rate in = rateInto(t);
            MPConstraint all = solver.makeConstraint(in.constant(), in.constant(), "flow_" + t);
            in.terms().forEach((v, c) -> all.setCoefficient(v, -c));
            rates.get(t).values().forEach(v -> all.setCoefficient(v, 1));
            if (!shape.upper[t] || node.a[t] == node.b[t]) {
                return;
            }
            String b = shape.options.variants(t).get(node.b[t]);
            MPConstraint atLeast = solver.makeConstraint(in.constant() * node.lo[t], Double.POSITIVE_INFINITY, "lo_" + t);
            MPConstraint atMost = solver.makeConstraint(Double.NEGATIVE_INFINITY, in.constant() * node.hi[t], "hi_" + t);
            in.terms().forEach((v, c) -> {
                atLeast.setCoefficient(v, -c * node.lo[t]);
                atMost.setCoefficient(v, -c * node.hi[t]);
            });
            rates.get(t).forEach((option, v) -> {
                if (option.variant().equals(b)) {
                    atLeast.setCoefficient(v, 1);
                    atMost.setCoefficient(v, 1);
                }
            });
        }

        /** Every path within the limit with each task's slowest group in use, at its least Nexus bound. */
        void latencies() {
            MPVariable[] bound = new MPVariable[shape.n];
            double limitMs = shape.evaluator.latencyLimitMs();
            for (int t = 0; t < shape.n; t++) {
                bound[t] = solver.makeNumVar(0, limitMs, "bound_" + t);
                for (Map.Entry<TaskOption, MPVariable> e : used.get(t).entrySet()) {
                    MPConstraint atLeast = solver.makeConstraint(0, Double.POSITIVE_INFINITY);
                    atLeast.setCoefficient(bound[t], 1);
                    atLeast.setCoefficient(e.getValue(), -shape.options.groupBoundMs(e.getKey()));
                }
            }
            for (int[] path : shape.evaluator.paths()) {
                MPConstraint fits = solver.makeConstraint(0, limitMs, "path_latency");
                for (int t : path) {
                    fits.setCoefficient(bound[t], 1);
                }
            }
            fills(limitMs);
        }

        /**
         * A group's bound is at least its batch time plus its fill, (b − 1)·replicas / rate, so the fill can be at most
         * what the path leaves it: the limit less the batch time and the least bounds of the other tasks on its path. As
         * rate × room ≥ (b − 1) × replicas that is linear, and it keeps a slow trickle off a large batch (the least
         * bound alone takes the fill at full load).
         */
        void fills(double limitMs) {
            double[] least = new double[shape.n];
            for (int t = 0; t < shape.n; t++) {
                least[t] = used.get(t).keySet().stream().mapToDouble(shape.options::groupBoundMs).min().orElse(0);
            }
            for (int t = 0; t < shape.n; t++) {
                double others = 0;
                for (int[] path : shape.evaluator.paths()) {
                    if (contains(path, t)) {
                        double sum = 0;
                        for (int u : path) {
                            sum += u == t ? 0 : least[u];
                        }
                        others = Math.max(others, sum);
                    }
                }
                for (Map.Entry<TaskOption, MPVariable> e : replicas.get(t).entrySet()) {
                    TaskOption o = e.getKey();
                    if (o.batch() <= 1) {
                        continue;
                    }
                    double room = limitMs - others - shape.options.batchMs(o);
                    MPConstraint fill = solver.makeConstraint(0, Double.POSITIVE_INFINITY, "fill_" + t + "_" + o);
                    fill.setCoefficient(rates.get(t).get(o), Math.max(0, room));
                    fill.setCoefficient(e.getValue(), -(o.batch() - 1) * 1000.0); // rates per second, times in ms
                }
            }
        }

        static boolean contains(int[] path, int t) {
            return Arrays.stream(path).anyMatch(u -> u == t);
        }

        /** Task t's accuracy with b's fraction phi of its pieces (a pseudo-task's own). */
        double accuracyAt(int t, double phi) {
            return mixed(t, phi, Variant::accuracy);
        }

        /** Pieces task t sends to {@code child} per piece it takes, with b's fraction phi of them. */
        double fanoutAt(int t, String child, double phi) {
            return mixed(t, phi, v -> v.fanoutTo(child));
        }

        /** A figure of task t's pieces when b takes the fraction phi of them and a the rest (a pseudo-task's one variant's). */
        double mixed(int t, double phi, ToDoubleFunction<Variant> figure) {
            Task task = shape.instance.tasks().get(t);
            if (task.pseudo()) {
                return figure.applyAsDouble(shape.evaluator.variantOf(t, task.variants().get(0).name()));
            }
            List<String> variants = shape.options.variants(t);
            double a = figure.applyAsDouble(shape.evaluator.variantOf(t, variants.get(node.a[t])));
            double b = figure.applyAsDouble(shape.evaluator.variantOf(t, variants.get(node.b[t])));
            return (1 - phi) * a + phi * b;
        }

        double lo(int t) {
            return shape.upper[t] ? node.lo[t] : 0;
        }

        double hi(int t) {
            return shape.upper[t] ? node.hi[t] : 0;
        }

        /**
         * Accuracy per root frame at least the floor (the class comment says how the products are bounded): per path, its
         * accuracy × D ≤ C · (α·Q + β·w) with Q the lowest task's accuracy-weighted pieces, w ≥ or ≤ φ·Q by McCormick
         * (φ the first upper task's fraction), α + β·φ a line above that task's ratio, C the other factors at their best.
         */
        void accuracy() {
            int[][] paths = shape.evaluator.paths();
            boolean min = shape.instance.accuracyRule() == PlanningInstance.AccuracyRule.MIN;
            double floor = shape.instance.graph().accuracyFloor(shape.evaluator.bestAccuracy());
            // Σ terms ≥ floor·D, less what paths with no variable term contribute at their best.
            MPConstraint mean = solver.makeConstraint(floor * demand, Double.POSITIVE_INFINITY, "accuracy");
            Map<String, MPVariable> products = new LinkedHashMap<>();
            for (int p = 0; p < paths.length; p++) {
                int[] path = paths[p];
                int lowest = shape.lowest[p];
                MPConstraint rule = min ? solver.makeConstraint(floor * demand, Double.POSITIVE_INFINITY, "accuracy_" + p) : mean;
                double weight = min ? 1 : shape.evaluator.pathWeight(p);
                if (lowest < 0) {
                    double best = 1;
                    for (int t : path) {
                        best *= Math.max(accuracyAt(t, lo(t)), accuracyAt(t, hi(t)));
                    }
                    rule.setLb(rule.lb() - weight * best * demand);
                    continue;
                }
                // The first upper task whose rate is a fixed multiple of the demand: its fraction is linear in its groups' rates.
                int linear = -1;
                double constant = 1;
                double leastPieces = 1;
                double mostPieces = 1;
                boolean above = true;
                for (int i = 0; i < path.length; i++) {
                    int t = path[i];
                    if (t == lowest) {
                        above = false;
                        continue;
                    }
                    if (!above) {
                        constant *= Math.max(accuracyAt(t, lo(t)), accuracyAt(t, hi(t)));
                        continue;
                    }
                    String next = shape.instance.tasks().get(path[i + 1]).name();
                    double fLo = fanoutAt(t, next, lo(t));
                    double fHi = fanoutAt(t, next, hi(t));
                    leastPieces *= Math.min(fLo, fHi);
                    mostPieces *= Math.max(fLo, fHi);
                    boolean varies = shape.upper[t] && node.a[t] != node.b[t];
                    if (varies && linear < 0 && rateInto(t).terms().isEmpty()) {
                        linear = t;
                        continue;
                    }
                    constant *= Math.max(accuracyAt(t, lo(t)) / fLo, accuracyAt(t, hi(t)) / fHi);
                }
                Map<TaskOption, MPVariable> leaf = rates.get(lowest);
                if (leaf.isEmpty()) {
                    continue;
                }
                double most = 0;
                double least = Double.POSITIVE_INFINITY;
                for (TaskOption o : leaf.keySet()) {
                    double a = shape.evaluator.variantOf(lowest, o.variant()).accuracy();
                    most = Math.max(most, a);
                    least = Math.min(least, a);
                }
                if (linear < 0) {
                    for (Map.Entry<TaskOption, MPVariable> e : leaf.entrySet()) {
                        double a = shape.evaluator.variantOf(lowest, e.getKey().variant()).accuracy();
                        rule.setCoefficient(e.getValue(), rule.getCoefficient(e.getValue()) + weight * constant * a);
                    }
                    continue;
                }
                // Q: the lowest task's accuracy-weighted pieces, within [least·D·leastPieces, most·D·mostPieces].
                MPVariable q = products.computeIfAbsent("q_" + lowest, k -> {
                    MPVariable v = solver.makeNumVar(0, MPSolver.infinity(), k);
                    MPConstraint def = solver.makeConstraint(0, 0, "def_" + k);
                    def.setCoefficient(v, -1);
                    for (Map.Entry<TaskOption, MPVariable> e : leaf.entrySet()) {
                        def.setCoefficient(e.getValue(), shape.evaluator.variantOf(lowest, e.getKey().variant()).accuracy());
                    }
                    return v;
                });
                double qLo = least * demand * leastPieces;
                double qHi = most * demand * mostPieces;
                String next = shape.instance.tasks().get(nextOnPath(path, linear)).name();
                double[] line = lineAbove(linear, next);
                double phiLo = node.lo[linear];
                double phiHi = node.hi[linear];
                // φ·D = b's rate at the linear task (its rate is constant × D': the constant from rateInto).
                double rateConstant = rateInto(linear).constant();
                String b = shape.options.variants(linear).get(node.b[linear]);
                MPVariable w = solver.makeNumVar(Double.NEGATIVE_INFINITY, MPSolver.infinity(), "w_" + p);
                // McCormick for w = φ·Q, φ = Σ b's rates / rateConstant: both sides of each inequality × rateConstant.
                if (line[1] >= 0) {
                    envelope(w, q, linear, b, rateConstant, phiHi, qLo, true);
                    envelope(w, q, linear, b, rateConstant, phiLo, qHi, true);
                } else {
                    envelope(w, q, linear, b, rateConstant, phiLo, qLo, false);
                    envelope(w, q, linear, b, rateConstant, phiHi, qHi, false);
                }
                rule.setCoefficient(q, rule.getCoefficient(q) + weight * constant * line[0]);
                rule.setCoefficient(w, rule.getCoefficient(w) + weight * constant * line[1]);
            }
        }

        static int nextOnPath(int[] path, int t) {
            for (int i = 0; i + 1 < path.length; i++) {
                if (path[i] == t) {
                    return path[i + 1];
                }
            }
            throw new IllegalStateException("task " + t + " is not above another on its path");
        }

        /**
         * One McCormick inequality for w = φ·Q at the corner (φE, QE): φE·Q + QE·φ − w ≥ φE·QE (w below the over-estimator)
         * or ≤ (w above the under-estimator), with φ = (Σ of b's rates at task t) / r.
         */
        void envelope(MPVariable w, MPVariable q, int t, String b, double r, double phiEnd, double qEnd, boolean upperSide) {
            MPConstraint c = upperSide ? solver.makeConstraint(phiEnd * qEnd, Double.POSITIVE_INFINITY)
                    : solver.makeConstraint(Double.NEGATIVE_INFINITY, phiEnd * qEnd);
            c.setCoefficient(q, phiEnd);
            c.setCoefficient(w, -1);
            rates.get(t).forEach((option, v) -> {
                if (option.variant().equals(b)) {
                    c.setCoefficient(v, qEnd / r);
                }
            });
        }

        /**
         * A line α + β·φ at or above task t's accuracy / fan-out towards {@code child} on the node's interval: the ratio
         * of two linear functions is concave or convex there; a tangent at the middle bounds a concave one, the chord a
         * convex one.
         */
        double[] lineAbove(int t, String child) {
            double lo = node.lo[t];
            double hi = node.hi[t];
            double rLo = accuracyAt(t, lo) / fanoutAt(t, child, lo);
            double rHi = accuracyAt(t, hi) / fanoutAt(t, child, hi);
            double mid = (lo + hi) / 2;
            double rMid = accuracyAt(t, mid) / fanoutAt(t, child, mid);
            double chordMid = (rLo + rHi) / 2;
            if (hi - lo < 1e-12) {
                return new double[] {rLo * (1 + 1e-9), 0};
            }
            // A hair above either line, so floating-point rounding cannot put it below the ratio.
            double margin = 1e-9 * Math.max(rLo, rHi);
            if (rMid <= chordMid) {
                double beta = (rHi - rLo) / (hi - lo);
                return new double[] {rLo - beta * lo + margin, beta};
            }
            // Concave: the tangent at the middle, r'(φ) = (a'·f − a·f') / f².
            double a0 = accuracyAt(t, 0);
            double da = accuracyAt(t, 1) - a0;
            double f0 = fanoutAt(t, child, 0);
            double df = fanoutAt(t, child, 1) - f0;
            double f = f0 + mid * df;
            double slope = (da * f - (a0 + mid * da) * df) / (f * f);
            return new double[] {rMid - slope * mid + margin, slope};
        }

        Outcome solve(Duration timeLimit) {
            solver.setTimeLimit(Math.max(1, timeLimit.toMillis()));
            // A node is decided by one solution (then read as the planner's plan) or a proof that there is none.
            solver.setSolverSpecificParametersAsString("limits/solutions = 1\n");
            MPSolver.ResultStatus status = solver.solve();
            if (status == MPSolver.ResultStatus.INFEASIBLE) {
                return new Outcome(status.name(), true, null);
            }
            if (status != MPSolver.ResultStatus.OPTIMAL && status != MPSolver.ResultStatus.FEASIBLE) {
                return new Outcome(status.name(), false, null);
            }
            List<List<Group>> groups = new ArrayList<>();
            for (int t = 0; t < shape.n; t++) {
                List<Group> gs = new ArrayList<>();
                for (Map.Entry<TaskOption, MPVariable> e : replicas.get(t).entrySet()) {
                    int x = (int) Math.round(e.getValue().solutionValue());
                    if (x > 0 && rates.get(t).get(e.getKey()).solutionValue() > 1e-9) {
                        gs.add(new Group(e.getKey(), x));
                    }
                }
                groups.add(gs);
            }
            return new Outcome(status.name(), false, groups);
        }
    }
}
