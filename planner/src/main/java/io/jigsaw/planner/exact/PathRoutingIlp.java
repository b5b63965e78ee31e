package io.jigsaw.planner.exact;

import com.google.ortools.Loader;
import com.google.ortools.linearsolver.MPConstraint;
import com.google.ortools.linearsolver.MPObjective;
import com.google.ortools.linearsolver.MPSolver;
import com.google.ortools.linearsolver.MPVariable;
import io.jigsaw.core.graph.Task;
import io.jigsaw.planner.model.Evaluation;
import io.jigsaw.planner.model.LokiArtifact;
import io.jigsaw.planner.model.PlanEvaluator;
import io.jigsaw.planner.model.PlanningInstance;
import io.jigsaw.planner.model.SolvedPlan;
import io.jigsaw.planner.model.Spill;
import io.jigsaw.planner.model.TaskOption;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Planning with traffic routed per variant path, as a MILP solved with OR-Tools' SCIP. Two uses:
 *
 * <p><b>Loki's own planner</b> (its policies): Loki's ILP as it states it (HPDC'24; artifact UMass-LIDS/Loki,
 * {@code src/simulator/algorithms/pipeline_ilp.py}), on this project's profiles, accuracy rule and settings:
 * <ul>
 *   <li>every variant of a task may run at once on its own whole GPUs ({@code x[task, variant]}, integer),
 *       with one batch size from the policy's (powers of two) per variant ({@code y}, binary);</li>
 *   <li>traffic is routed per variant path ({@code c[path]}): a fraction of the root's requests per
 *       combination of variants along each root-to-leaf path, so a frame the detector's large variant
 *       saw can go to a small classifier and another frame's to a large one;</li>
 *   <li>each variant's servers carry the pieces its routes send it (fan-outs of the variants above it)
 *       at the policy's utilisation (none for Loki's own settings);</li>
 *   <li>every route that carries traffic sums its variants' batch times to at most half the SLO
 *       ({@code ind[path]} in the artifact, an indicator here);</li>
 *   <li>whole GPUs summed over the cluster at most the GPUs given.</li>
 * </ul>
 * Differences, on purpose: the routes of two paths that share a task agree on how that task's traffic
 * splits (the artifact plans the car branch alone and gives the face branch one server outside the ILP);
 * accuracy is this project's per-frame rule (path weights fixed by the most accurate variants,
 * {@link PlanEvaluator}) instead of the sum of path accuracies; a batch's time is the policy's (our tail,
 * or the median for Loki's own settings). {@code loki-literal} does what the artifact does by name
 * ({@link LokiArtifact}): {@code yolov5s} and {@code efficientnet-b7} left out, the face branch on one server of
 * {@code genderNet_16} at batch 1 (counted, and its routes still held to the SLO, so a capacity is one the face
 * branch keeps up with), one server kept for the sink.
 *
 * <p><b>A bound for every other policy</b>: the same routes over the policy's options (partitions, every
 * profiled batch), with the planner's own rules where they are linear — at most two groups per task (a main option
 * and a split), every path within the limit with each task's slowest group — and relaxed where they are not: its
 * plans route every frame's pieces by the product of the tasks' splits (here any routing), a split's second group
 * runs full (here any rate), a group's Nexus bound is taken at its least (the batch fill at full utilisation:
 * ℓ + max(ℓ, (b − 1)/(ρ·throughput))), and shares need only sum to the GPUs' and respect how many replicas of a
 * size one GPU holds, rather than pack first-fit. Any plan
 * of the planner's model is a plan here, so the optimum here is an upper bound on the planner's: what the capacity
 * search finds is within (bound − found)/bound of the model's optimum. An option another option of its variant
 * beats on bound, throughput and share is left out (its replicas could be swapped one for one at no loss).
 *
 * <p>Flows are in requests per second rather than fractions, so the demand itself can be the objective: a
 * capacity is one MILP, not a search. Trees only, as Loki: a real task with two parents (a join) is refused;
 * a pseudo-task (Loki's sink) costs nothing and is left out.
 */
public final class PathRoutingIlp {

    /** Beyond this many variant combinations on one path the MILP is not built (Loki's apps have tens). */
    static final int MAX_ROUTES_PER_PATH = 20_000;

    static {
        Loader.loadNativeLibraries();
    }

    private final Duration limit;

    public PathRoutingIlp(Duration limit) {
        this.limit = limit;
    }

    /** The most root demand the policy can serve on the instance's GPUs with its SLOs met; the instance's own demand is ignored. */
    public PathPlan capacity(PlanningInstance instance) {
        return new Model(instance, true).solve();
    }

    /**
     * Loki's plan for the instance's demand: the most accurate that fits, then the fewest GPUs (its
     * "hardware scaling, then accuracy scaling"); empty routes when no plan meets the SLOs.
     */
    public PathPlan plan(PlanningInstance instance) {
        return new Model(instance, false).solve();
    }

    /**
     * The relaxation's plan as a plan of the planner's own model, where it is one: each task's one or two groups as a
     * main option and a split (either group may be the split; every way is tried), evaluated by {@link PlanEvaluator} at
     * the plan's demand less a millionth (the MILP's solution sits on its constraints; the evaluator rounds replicas up).
     * Feasible there, it meets the bound: the planner's optimum, proven. Empty when no way is feasible, or for Loki's
     * policies, whose plans route per path.
     */
    public static Optional<SolvedPlan> asPlannerPlan(PathPlan relaxed) {
        return closestPlannerPlan(relaxed).filter(SolvedPlan::feasible);
    }

    /**
     * The same, feasible or not: of the ways to read the groups as main options and splits, the feasible one, else the one
     * the planner's rules score best (a start for its search near the relaxation's plan). Empty for Loki's policies, for a
     * plan with no routes, or where a task runs more than two groups.
     */
    public static Optional<SolvedPlan> closestPlannerPlan(PathPlan relaxed) {
        PlanningInstance instance = relaxed.instance().withDemand(relaxed.demandRps() * (1 - 1e-6));
        if (instance.policy().loki() || relaxed.routes().isEmpty()) {
            return Optional.empty();
        }
        PlanEvaluator evaluator = new PlanEvaluator(instance);
        int n = instance.tasks().size();
        List<List<GroupReadings.Group>> byTask = new ArrayList<>();
        for (int t = 0; t < n; t++) {
            String name = instance.tasks().get(t).name();
            byTask.add(relaxed.groups().stream().filter(g -> g.task().equals(name))
                    .map(g -> new GroupReadings.Group(new TaskOption(g.variant(), g.batch(), g.share()), g.replicas())).toList());
            if (byTask.get(t).size() > 2) {
                return Optional.empty();
            }
        }
        long start = System.nanoTime();
        SolvedPlan best = null;
        for (GroupReadings.Reading reading : GroupReadings.of(byTask, evaluator)) {
            TaskOption[] choice = reading.choice();
            Spill[] spills = reading.spills();
            Evaluation e = evaluator.evaluate(choice, spills, true);
            Duration took = Duration.ofNanos(System.nanoTime() - start).plus(relaxed.time());
            SolvedPlan candidate = new SolvedPlan(instance, List.of(choice), List.of(spills), e, "path-routing relaxation", took, took);
            if (e.feasible()) {
                return Optional.of(candidate);
            }
            if (best == null || hardExcess(e) < hardExcess(best.evaluation())) {
                best = candidate;
            }
        }
        return Optional.ofNullable(best);
    }

    /** How far a plan is from the rules, in the planner's hard units summed (share overflow, latency, accuracy). */
    private static double hardExcess(Evaluation e) {
        return e.overflowShare() * 100 + (e.latencyExcessMs() + e.budgetExcessMs()) * 1000 + e.accuracyShortfall() * 1e6;
    }

    private final class Model {
        final PlanningInstance instance;
        final PlanEvaluator evaluator;
        final boolean capacity;
        final MPSolver solver = MPSolver.createSolver("SCIP");
        final int n;
        /** Per task: its variants (empty for a pseudo-task), and per variant its options (one per batch). */
        final List<List<String>> variants = new ArrayList<>();
        final List<Map<String, List<TaskOption>>> options = new ArrayList<>();
        final Map<TaskOption, MPVariable>[] replicas;
        final Map<TaskOption, MPVariable>[] batchChosen;
        /** Per path: its real tasks (indices), its routes (variant index per real task) and their flow variables. */
        final List<int[]> realTasks = new ArrayList<>();
        final List<List<int[]>> routes = new ArrayList<>();
        final List<List<MPVariable>> flows = new ArrayList<>();
        final MPVariable demand;
        /** Options held at exactly one replica (what Loki's artifact runs outside its ILP). */
        final java.util.Set<TaskOption> fixedOne = new java.util.HashSet<>();
        final double accuracyFloor;
        final int gpus;
        final RelaxedOptions relaxed;

        @SuppressWarnings("unchecked")
        Model(PlanningInstance instance, boolean capacity) {
            if (solver == null) {
                throw new IllegalStateException("OR-Tools' SCIP is not available in this build");
            }
            this.instance = instance;
            this.evaluator = new PlanEvaluator(instance);
            this.capacity = capacity;
            this.n = instance.tasks().size();
            int kept = instance.policy().literal() && instance.tasks().stream().anyMatch(t -> t.pseudo() && t.name().equals(LokiArtifact.SINK))
                    ? 1 : 0; // the artifact keeps a server for the sink whatever the plan
            this.relaxed = new RelaxedOptions(instance, evaluator, kept);
            replicas = new Map[n];
            batchChosen = new Map[n];
            for (int t = 0; t < n; t++) {
                Task task = instance.tasks().get(t);
                if (!task.pseudo() && evaluator.parents(t).length > 1) {
                    throw new IllegalArgumentException("Loki's ILP plans trees: task " + task.name() + " of graph " + instance.graph().name()
                            + " joins " + evaluator.parents(t).length + " parents");
                }
                Map<String, List<TaskOption>> byVariant = relaxed.byVariant(t);
                if (!task.pseudo()) {
                    Optional<String> outside = instance.policy().literal()
                            ? LokiArtifact.outsideVariant(instance.graph().name(), task.name()) : Optional.empty();
                    if (outside.isPresent()) {
                        // The artifact serves this branch outside its ILP: one whole GPU of this variant at its smallest batch.
                        TaskOption one = byVariant.getOrDefault(outside.get(), List.of()).stream()
                                .min(java.util.Comparator.comparingInt(TaskOption::batch)).orElseThrow(() -> new IllegalArgumentException(
                                        "Loki's artifact serves task " + task.name() + " with " + outside.get() + ", which has no usable row"));
                        byVariant.clear();
                        byVariant.put(one.variant(), List.of(one));
                        fixedOne.add(one);
                    }
                }
                options.add(byVariant);
                variants.add(List.copyOf(byVariant.keySet()));
            }
            gpus = relaxed.gpus();
            if (evaluator.measuredCombinations() && !instance.policy().loki()) {
                // The relaxation's accuracy rule is linear per path; a combination's accuracy is a whole-graph figure.
                throw new IllegalArgumentException("no per-path relaxation for graph " + instance.graph().name()
                        + ": its accuracy is its variant combinations' (measured), not a path product");
            }
            // Loki's ILP assumes the path product (its mechanism); a combinations SLO is read as the same fraction of its best.
            accuracyFloor = evaluator.measuredCombinations()
                    ? instance.graph().accuracyFloor(evaluator.bestAccuracy()) / evaluator.bestAccuracy() * evaluator.bestPathProduct()
                    : instance.graph().accuracySlo() * evaluator.bestAccuracy();
            double most = relaxed.mostRootRate();
            demand = capacity ? solver.makeNumVar(0, most, "demand")
                    : solver.makeNumVar(instance.demandRps(), instance.demandRps(), "demand");
            servers();
            routes(capacity ? most : instance.demandRps());
            loads();
            latencies();
            accuracy();
        }

        void servers() {
            for (int t = 0; t < n; t++) {
                replicas[t] = new LinkedHashMap<>();
                batchChosen[t] = new LinkedHashMap<>();
                for (String v : variants.get(t)) {
                    // Loki runs one batch size per variant; the planner's model any number of groups.
                    MPConstraint oneBatch = instance.policy().loki() ? solver.makeConstraint(0, 1, "batch_" + t + "_" + v) : null;
                    for (TaskOption o : options.get(t).get(v)) {
                        int most = relaxed.mostReplicas(o);
                        boolean fixed = fixedOne.contains(o);
                        MPVariable x = solver.makeIntVar(fixed ? 1 : 0, fixed ? 1 : most, "x_" + t + "_" + o);
                        MPVariable y = fixed ? solver.makeIntVar(1, 1, "y_" + t + "_" + o) : solver.makeBoolVar("y_" + t + "_" + o);
                        replicas[t].put(o, x);
                        batchChosen[t].put(o, y);
                        if (oneBatch != null) {
                            oneBatch.setCoefficient(y, 1);
                        }
                        MPConstraint onlyChosen = solver.makeConstraint(Double.NEGATIVE_INFINITY, 0);
                        onlyChosen.setCoefficient(x, 1);
                        onlyChosen.setCoefficient(y, -most);
                    }
                }
            }
            relaxed.packing(solver, java.util.Arrays.asList(replicas));
        }

        /** Every path's routes carry all of the demand; two paths agree on the traffic of the tasks they share. */
        void routes(double mostFlow) {
            int[][] paths = evaluator.paths();
            for (int p = 0; p < paths.length; p++) {
                List<Integer> real = new ArrayList<>();
                for (int t : paths[p]) {
                    if (!instance.tasks().get(t).pseudo()) {
                        real.add(t);
                    }
                }
                int[] realArray = real.stream().mapToInt(Integer::intValue).toArray();
                realTasks.add(realArray);
                List<int[]> combos = combinations(realArray);
                routes.add(combos);
                List<MPVariable> f = new ArrayList<>();
                MPConstraint all = solver.makeConstraint(0, 0, "demand_" + p);
                all.setCoefficient(demand, -1);
                for (int c = 0; c < combos.size(); c++) {
                    MPVariable v = solver.makeNumVar(0, mostFlow, "f_" + p + "_" + c);
                    f.add(v);
                    all.setCoefficient(v, 1);
                }
                flows.add(f);
                agreeWithEarlierPaths(p, paths);
            }
        }

        List<int[]> combinations(int[] real) {
            long count = 1;
            for (int t : real) {
                if (variants.get(t).isEmpty()) {
                    // No option of this task fits the latency rule: no route, so no demand can be served.
                    return List.of();
                }
                count *= variants.get(t).size();
                if (count > MAX_ROUTES_PER_PATH) {
                    throw new IllegalArgumentException("a path of graph " + instance.graph().name() + " has more than "
                            + MAX_ROUTES_PER_PATH + " combinations of variants: too many for Loki's per-path ILP");
                }
            }
            List<int[]> out = new ArrayList<>();
            int[] c = new int[real.length];
            while (true) {
                out.add(c.clone());
                int i = real.length - 1;
                while (i >= 0 && ++c[i] == variants.get(real[i]).size()) {
                    c[i] = 0;
                    i--;
                }
                if (i < 0) {
                    return out;
                }
            }
        }

        /**
         * Path p's routes split each shared task's traffic as the earlier path with the longest common prefix
         * does: per combination of the shared tasks' variants, the same flow (in a tree, common prefixes nest,
         * so agreeing with that one path agrees with all).
         */
        void agreeWithEarlierPaths(int p, int[][] paths) {
            int bestQ = -1;
            int bestShared = 0;
            for (int q = 0; q < p; q++) {
                int common = 0;
                while (common < paths[p].length && common < paths[q].length && paths[p][common] == paths[q][common]) {
                    common++;
                }
                int shared = 0;
                for (int i = 0; i < common; i++) {
                    shared += instance.tasks().get(paths[p][i]).pseudo() ? 0 : 1;
                }
                if (shared > bestShared) {
                    bestShared = shared;
                    bestQ = q;
                }
            }
            if (bestQ < 0) {
                return;
            }
            Map<String, MPConstraint> byPrefix = new LinkedHashMap<>();
            addPrefixFlows(p, bestShared, 1, byPrefix);
            addPrefixFlows(bestQ, bestShared, -1, byPrefix);
        }

        void addPrefixFlows(int p, int shared, double sign, Map<String, MPConstraint> byPrefix) {
            List<int[]> combos = routes.get(p);
            for (int c = 0; c < combos.size(); c++) {
                String key = java.util.Arrays.toString(java.util.Arrays.copyOf(combos.get(c), shared));
                MPConstraint eq = byPrefix.computeIfAbsent(key, k -> solver.makeConstraint(0, 0, "agree_" + p + "_" + k));
                eq.setCoefficient(flows.get(p).get(c), sign);
            }
        }

        /** Each variant's servers carry the pieces its routes send it, counted on the first path through the task. */
        void loads() {
            int[][] paths = evaluator.paths();
            boolean[] done = new boolean[n];
            for (int p = 0; p < paths.length; p++) {
                int[] real = realTasks.get(p);
                for (int j = 0; j < real.length; j++) {
                    int t = real[j];
                    if (done[t]) {
                        continue;
                    }
                    done[t] = true;
                    Map<String, MPConstraint> perVariant = new LinkedHashMap<>();
                    for (String v : variants.get(t)) {
                        MPConstraint c = solver.makeConstraint(Double.NEGATIVE_INFINITY, 0, "load_" + t + "_" + v);
                        for (TaskOption o : options.get(t).get(v)) {
                            c.setCoefficient(replicas[t].get(o), -relaxed.perReplica(o));
                        }
                        perVariant.put(v, c);
                    }
                    List<int[]> combos = routes.get(p);
                    for (int c = 0; c < combos.size(); c++) {
                        String v = variants.get(t).get(combos.get(c)[j]);
                        perVariant.get(v).setCoefficient(flows.get(p).get(c), piecesPerRequest(p, combos.get(c), t));
                    }
                }
            }
        }

        /** Pieces of one root request that reach task t along path p when its real tasks run these variants. */
        double piecesPerRequest(int p, int[] combo, int t) {
            int[] path = evaluator.paths()[p];
            double pieces = 1;
            int j = 0;
            for (int i = 0; i + 1 < path.length && path[i] != t; i++) {
                Task task = instance.tasks().get(path[i]);
                String variant = task.pseudo() ? task.variants().get(0).name() : variants.get(path[i]).get(combo[j++]);
                pieces *= evaluator.variantOf(path[i], variant).fanoutTo(instance.tasks().get(path[i + 1]).name());
            }
            return pieces;
        }

        /**
         * A route that carries traffic sums, over its tasks, the bound of its variant there (the slowest group of
         * that variant in use) to at most the policy's limit.
         */
        void latencies() {
            if (!instance.policy().loki()) {
                taskLatencies();
                return;
            }
            double limitMs = evaluator.latencyLimitMs();
            Map<String, MPVariable> bound = new LinkedHashMap<>();
            Map<String, Double> worst = new LinkedHashMap<>();
            for (int t = 0; t < n; t++) {
                for (String v : variants.get(t)) {
                    double most = 0;
                    for (TaskOption o : options.get(t).get(v)) {
                        most = Math.max(most, relaxed.groupBoundMs(o));
                    }
                    MPVariable l = solver.makeNumVar(0, most, "l_" + t + "_" + v);
                    for (TaskOption o : options.get(t).get(v)) {
                        MPConstraint atLeast = solver.makeConstraint(0, Double.POSITIVE_INFINITY);
                        atLeast.setCoefficient(l, 1);
                        atLeast.setCoefficient(batchChosen[t].get(o), -relaxed.groupBoundMs(o));
                    }
                    bound.put(t + "|" + v, l);
                    worst.put(t + "|" + v, most);
                }
            }
            for (int p = 0; p < routes.size(); p++) {
                int[] real = realTasks.get(p);
                List<int[]> combos = routes.get(p);
                for (int c = 0; c < combos.size(); c++) {
                    double bigM = 0;
                    for (int j = 0; j < real.length; j++) {
                        bigM += worst.get(real[j] + "|" + variants.get(real[j]).get(combos.get(c)[j]));
                    }
                    MPVariable used = solver.makeBoolVar("ind_" + p + "_" + c);
                    MPConstraint carries = solver.makeConstraint(Double.NEGATIVE_INFINITY, 0);
                    carries.setCoefficient(flows.get(p).get(c), 1);
                    carries.setCoefficient(used, -flows.get(p).get(c).ub());
                    MPConstraint fits = solver.makeConstraint(Double.NEGATIVE_INFINITY, limitMs + bigM, "latency_" + p + "_" + c);
                    fits.setCoefficient(used, bigM);
                    for (int j = 0; j < real.length; j++) {
                        fits.setCoefficient(bound.get(real[j] + "|" + variants.get(real[j]).get(combos.get(c)[j])), 1);
                    }
                }
            }
        }

        /**
         * The planner's model holds every path to the limit with each task's slowest group, whatever route a piece takes,
         * and runs at most two groups per task (a main option and a split): both hold of the relaxation too, and make it
         * far tighter than per-route latencies.
         */
        void taskLatencies() {
            MPVariable[] bound = new MPVariable[n];
            for (int t = 0; t < n; t++) {
                bound[t] = solver.makeNumVar(0, evaluator.latencyLimitMs(), "l_" + t);
                MPConstraint twoGroups = solver.makeConstraint(0, instance.splits() ? 2 : 1, "groups_" + t);
                for (String v : variants.get(t)) {
                    for (TaskOption o : options.get(t).get(v)) {
                        MPConstraint atLeast = solver.makeConstraint(0, Double.POSITIVE_INFINITY);
                        atLeast.setCoefficient(bound[t], 1);
                        atLeast.setCoefficient(batchChosen[t].get(o), -relaxed.groupBoundMs(o));
                        twoGroups.setCoefficient(batchChosen[t].get(o), 1);
                    }
                }
            }
            for (int[] real : realTasks) {
                MPConstraint fits = solver.makeConstraint(0, evaluator.latencyLimitMs(), "path_latency");
                for (int t : real) {
                    fits.setCoefficient(bound[t], 1);
                }
            }
        }

        /** Accuracy per root frame at least the SLO's floor: the weighted mean over paths, or every path for the MIN rule. */
        void accuracy() {
            boolean min = instance.accuracyRule() == PlanningInstance.AccuracyRule.MIN;
            MPConstraint mean = solver.makeConstraint(0, Double.POSITIVE_INFINITY, "accuracy");
            mean.setCoefficient(demand, -accuracyFloor);
            for (int p = 0; p < routes.size(); p++) {
                MPConstraint own = min ? solver.makeConstraint(0, Double.POSITIVE_INFINITY, "accuracy_" + p) : null;
                if (own != null) {
                    own.setCoefficient(demand, -accuracyFloor);
                }
                for (int c = 0; c < routes.get(p).size(); c++) {
                    double a = routeAccuracy(p, routes.get(p).get(c));
                    if (own != null) {
                        own.setCoefficient(flows.get(p).get(c), a);
                    } else {
                        mean.setCoefficient(flows.get(p).get(c), evaluator.pathWeight(p) * a);
                    }
                }
            }
        }

        /** The product along the path of each task's variant's accuracy (a pseudo-task's own, as the planner's rule has it). */
        double routeAccuracy(int p, int[] combo) {
            double a = 1;
            int j = 0;
            for (int t : evaluator.paths()[p]) {
                Task task = instance.tasks().get(t);
                String variant = task.pseudo() ? task.variants().get(0).name() : variants.get(t).get(combo[j++]);
                a *= evaluator.variantOf(t, variant).accuracy();
            }
            return a;
        }

        /** The accuracy expression's coefficient per flow, divided by the demand (fixed when planning). */
        void setAccuracyObjective(MPObjective objective) {
            boolean min = instance.accuracyRule() == PlanningInstance.AccuracyRule.MIN;
            for (int p = 0; p < routes.size(); p++) {
                for (int c = 0; c < routes.get(p).size(); c++) {
                    double weight = min ? 1.0 / routes.size() : evaluator.pathWeight(p);
                    objective.setCoefficient(flows.get(p).get(c), weight * routeAccuracy(p, routes.get(p).get(c)) / instance.demandRps());
                }
            }
        }

        PathPlan solve() {
            long start = System.nanoTime();
            solver.setTimeLimit(Math.max(1, limit.toMillis()));
            MPObjective objective = solver.objective();
            MPSolver.ResultStatus status;
            double bound;
            if (capacity) {
                objective.setCoefficient(demand, 1);
                objective.setMaximization();
                status = solver.solve();
                bound = objective.bestBound();
            } else if (instance.demandRps() <= 0) {
                status = solver.solve();
                bound = 1;
            } else {
                // Loki's order: the most accurate plan, then the fewest GPUs that keep that accuracy.
                setAccuracyObjective(objective);
                objective.setMaximization();
                status = solver.solve();
                bound = objective.bestBound();
                if (status == MPSolver.ResultStatus.OPTIMAL || status == MPSolver.ResultStatus.FEASIBLE) {
                    double best = objective.value();
                    MPConstraint keep = solver.makeConstraint(best - 1e-7, Double.POSITIVE_INFINITY, "keep_accuracy");
                    for (int p = 0; p < routes.size(); p++) {
                        for (int c = 0; c < routes.get(p).size(); c++) {
                            keep.setCoefficient(flows.get(p).get(c), objective.getCoefficient(flows.get(p).get(c)));
                        }
                    }
                    objective.clear();
                    for (int t = 0; t < n; t++) {
                        replicas[t].values().forEach(x -> objective.setCoefficient(x, 1));
                    }
                    objective.setMinimization();
                    MPSolver.ResultStatus second = solver.solve();
                    if (second != MPSolver.ResultStatus.OPTIMAL && second != MPSolver.ResultStatus.FEASIBLE) {
                        throw new IllegalStateException("Loki's ILP lost its plan when minimising GPUs: " + second);
                    }
                    status = status == MPSolver.ResultStatus.OPTIMAL && second == MPSolver.ResultStatus.OPTIMAL
                            ? MPSolver.ResultStatus.OPTIMAL : MPSolver.ResultStatus.FEASIBLE;
                }
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            if (status != MPSolver.ResultStatus.OPTIMAL && status != MPSolver.ResultStatus.FEASIBLE) {
                return new PathPlan(instance, capacity ? 0 : instance.demandRps(), List.of(), List.of(), 0, 0,
                        status == MPSolver.ResultStatus.INFEASIBLE, capacity ? 0 : Double.NaN, took);
            }
            return read(status == MPSolver.ResultStatus.OPTIMAL, bound, took);
        }

        PathPlan read(boolean optimal, double bound, Duration took) {
            double d = demand.solutionValue();
            List<PathPlan.Group> groups = new ArrayList<>();
            double share = 0;
            for (int t = 0; t < n; t++) {
                for (Map.Entry<TaskOption, MPVariable> e : replicas[t].entrySet()) {
                    int x = (int) Math.round(e.getValue().solutionValue());
                    if (x > 0) {
                        share += x * e.getKey().share();
                        groups.add(new PathPlan.Group(instance.tasks().get(t).name(), e.getKey().variant(), e.getKey().batch(),
                                e.getKey().share(), x, load(t, e.getKey().variant()), relaxed.groupBoundMs(e.getKey())));
                    }
                }
            }
            List<PathPlan.Route> out = new ArrayList<>();
            double accuracy = 0;
            double minAccuracy = Double.POSITIVE_INFINITY;
            for (int p = 0; p < routes.size(); p++) {
                double pathAccuracy = 0;
                for (int c = 0; c < routes.get(p).size(); c++) {
                    double f = flows.get(p).get(c).solutionValue();
                    if (f <= 1e-9) {
                        continue;
                    }
                    int[] combo = routes.get(p).get(c);
                    List<String> names = new ArrayList<>();
                    List<String> chosen = new ArrayList<>();
                    double latency = 0;
                    for (int j = 0; j < combo.length; j++) {
                        int t = realTasks.get(p)[j];
                        String v = variants.get(t).get(combo[j]);
                        names.add(instance.tasks().get(t).name());
                        chosen.add(v);
                        latency += groups.stream().filter(g -> g.task().equals(instance.tasks().get(t).name()) && g.variant().equals(v))
                                .mapToDouble(PathPlan.Group::boundMs).max().orElse(Double.NaN);
                    }
                    out.add(new PathPlan.Route(names, chosen, f, latency));
                    pathAccuracy += f * routeAccuracy(p, combo);
                }
                pathAccuracy = d > 0 ? pathAccuracy / d : 0;
                accuracy += evaluator.pathWeight(p) * pathAccuracy;
                minAccuracy = Math.min(minAccuracy, pathAccuracy);
            }
            double a = instance.accuracyRule() == PlanningInstance.AccuracyRule.MIN ? minAccuracy : accuracy;
            return new PathPlan(instance.withDemand(d), d, groups, out, a, (int) Math.ceil(share / 100 - 1e-9), optimal, bound, took);
        }

        /** Pieces per second the solution sends to one variant of task t (on the first path through it, as {@link #loads}). */
        double load(int t, String variant) {
            for (int p = 0; p < routes.size(); p++) {
                int[] real = realTasks.get(p);
                for (int j = 0; j < real.length; j++) {
                    if (real[j] != t) {
                        continue;
                    }
                    double sum = 0;
                    for (int c = 0; c < routes.get(p).size(); c++) {
                        int[] combo = routes.get(p).get(c);
                        if (variants.get(t).get(combo[j]).equals(variant)) {
                            sum += flows.get(p).get(c).solutionValue() * piecesPerRequest(p, combo, t);
                        }
                    }
                    return sum;
                }
            }
            return 0;
        }
    }
}
