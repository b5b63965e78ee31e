package io.jigsaw.planner.exact;

import io.jigsaw.planner.model.Evaluation;
import io.jigsaw.planner.model.PlanEvaluator;
import io.jigsaw.planner.model.PlanningInstance;
import io.jigsaw.planner.model.Policy;
import io.jigsaw.planner.model.SolvedPlan;
import io.jigsaw.planner.model.Spill;
import io.jigsaw.planner.model.TaskLoad;
import io.jigsaw.planner.model.TaskOption;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The exact reference: depth-first over every task's options in topological order, on the same
 * {@link PlanEvaluator} as {@link io.jigsaw.planner.solver.PlanSolver}, so its optimum is the
 * model's optimum. Prunes only what provably cannot win:
 * <ul>
 *   <li>options of one task with the same variant and share whose latency and replica count are
 *       both no better than another's (same replica size, fewer of them, packs no worse);</li>
 *   <li>a partial plan whose path latencies, plus the least latency the remaining tasks can have,
 *       exceed the limit;</li>
 *   <li>a partial plan whose accuracy cannot reach the SLO even with the best remaining variants;</li>
 *   <li>a partial plan whose share, plus a lower bound for the remaining tasks, is already worse than
 *       the best plan found (the policy's objective order).</li>
 * </ul>
 * With traffic splits ({@link Spill}) every task also takes every pair of options with 1, 2, … replicas of
 * the second (as many as the solver may use), the same dominance applied among mains under one split:
 * far more plans, so on all but small instances the leaf budget runs out and it says so.
 * It stops after {@code maxLeaves} complete plans and then says so.
 */
public final class ExhaustiveSearch {

    private final long maxLeaves;

    public ExhaustiveSearch(long maxLeaves) {
        this.maxLeaves = maxLeaves;
    }

    /** The optimum, or empty when no plan is feasible; {@link Exhausted} when the leaf budget ran out. */
    public Optional<SolvedPlan> solve(PlanningInstance instance) {
        long start = System.nanoTime();
        Search s = new Search(new PlanEvaluator(instance));
        s.dfs(0);
        if (s.leaves > maxLeaves) {
            throw new Exhausted("exhaustive search gave up after " + maxLeaves + " complete plans on " + instance.graph().name());
        }
        if (s.best == null) {
            return Optional.empty();
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        return Optional.of(new SolvedPlan(instance, List.of(s.best), List.of(s.bestSpills), s.evaluator.evaluate(s.best, s.bestSpills, true),
                "exhaustive", took, took));
    }

    /** The instance is too large for an exhaustive proof within the leaf budget. */
    public static final class Exhausted extends RuntimeException {
        Exhausted(String message) {
            super(message);
        }
    }

    private final class Search {
        final PlanEvaluator evaluator;
        final PlanningInstance instance;
        final int n;
        final TaskOption[] choice;
        final Spill[] spills;
        final TaskLoad[] loads;
        final double[] rate;
        final double[] latency;
        final double[] minLatency;
        final double[] minShare;
        final double[] bestAccuracyOf;
        final boolean accuracyFirst;
        TaskOption[] best;
        Spill[] bestSpills;
        long bestShare = Long.MAX_VALUE;
        long bestAccuracy = Long.MIN_VALUE;
        long leaves;

        Search(PlanEvaluator evaluator) {
            this.evaluator = evaluator;
            this.instance = evaluator.instance();
            this.n = instance.tasks().size();
            this.choice = new TaskOption[n];
            this.spills = new Spill[n];
            this.loads = new TaskLoad[n];
            this.rate = new double[n];
            this.latency = new double[n];
            this.accuracyFirst = instance.policy().objective() == Policy.Objective.ACCURACY_THEN_LEAST_SHARE;
            minLatency = new double[n];
            minShare = new double[n];
            bestAccuracyOf = new double[n];
            double[] rateFloor = evaluator.rateBounds()[0];
            for (int t = 0; t < n; t++) {
                minLatency[t] = Double.POSITIVE_INFINITY;
                minShare[t] = Double.POSITIVE_INFINITY;
                for (TaskOption o : evaluator.options(t)) {
                    TaskLoad load = evaluator.load(t, o, rateFloor[t]);
                    minShare[t] = Math.min(minShare[t], load.totalShare());
                    if (instance.splits() && !instance.tasks().get(t).pseudo()) {
                        // A split's rounding can beat every single option's: bound by the share per unit of rate instead.
                        minShare[t] = Math.min(minShare[t],
                                rateFloor[t] * o.share() / (instance.utilisation() * instance.row(o).throughputPerSecond()));
                    }
                    // The fill wait only grows with the rate's fall, so the bound at batch-time alone is a floor.
                    double floor = instance.policy().latencyRule() == Policy.LatencyRule.HALF_SLO_EXECUTION ? load.batchMs() : 2 * load.batchMs();
                    minLatency[t] = Math.min(minLatency[t], floor);
                    // A split's groups each hold at least one replica of their option: no less than the cheapest single.
                    bestAccuracyOf[t] = Math.max(bestAccuracyOf[t], evaluator.variantOf(t, o.variant()).accuracy());
                }
            }
        }

        void dfs(int t) {
            if (leaves > maxLeaves) {
                return;
            }
            if (t == n) {
                leaf();
                return;
            }
            rate[t] = evaluator.rateInto(t, loads);
            for (TaskLoad load : candidates(t)) {
                choice[t] = load.option();
                spills[t] = load.spill() == null ? Spill.NONE : new Spill(load.spill().option(), load.spill().replicas());
                loads[t] = load;
                latency[t] = load.boundMs();
                if (promising(t)) {
                    dfs(t + 1);
                }
            }
            choice[t] = null;
            spills[t] = null;
            loads[t] = null;
            latency[t] = 0;
        }

        /** The task's options at this rate without the dominated ones, cheapest first. */
        List<TaskLoad> candidates(int t) {
            Map<String, List<TaskLoad>> groups = new HashMap<>();
            for (Spill spill : evaluator.spills(t, evaluator.options(t), rate[t])) {
                for (TaskOption o : evaluator.options(t)) {
                    TaskLoad load = evaluator.load(t, o, spill, rate[t]);
                    if (instance.policy().latencyRule() == Policy.LatencyRule.EVEN_BUDGETS && load.boundMs() > evaluator.evenBudgetMs(t)) {
                        continue;
                    }
                    groups.computeIfAbsent(o.variant() + '|' + o.share() + '|' + spill, k -> new ArrayList<>()).add(load);
                }
            }
            List<TaskLoad> out = new ArrayList<>();
            for (List<TaskLoad> group : groups.values()) {
                group.sort(Comparator.comparingDouble(TaskLoad::boundMs).thenComparingInt(TaskLoad::replicas));
                int fewest = Integer.MAX_VALUE;
                for (TaskLoad l : group) {
                    if (l.replicas() < fewest) {
                        out.add(l);
                        fewest = l.replicas();
                    }
                }
            }
            out.sort(Comparator.comparingDouble(TaskLoad::totalShare).thenComparingDouble(TaskLoad::boundMs));
            return out;
        }

        boolean promising(int t) {
            for (int[] path : evaluator.paths()) {
                double sum = 0;
                for (int u : path) {
                    sum += u <= t ? latency[u] : minLatency[u];
                }
                if (sum > evaluator.latencyLimitMs() + 1e-9) {
                    return false;
                }
            }
            double accuracyCeiling = 0;
            if (evaluator.measuredCombinations()) {
                // No per-task bound on a combination's accuracy: the best combination's is the ceiling.
                accuracyCeiling = evaluator.bestAccuracy();
            } else {
                for (int[] path : evaluator.paths()) {
                    double acc = 1;
                    for (int u : path) {
                        acc *= u <= t ? evaluator.taskAccuracy(u, loads[u]) : bestAccuracyOf[u];
                    }
                    accuracyCeiling = Math.max(accuracyCeiling, acc);
                }
            }
            if (accuracyCeiling < instance.graph().accuracyFloor(evaluator.bestAccuracy()) - 1e-12) {
                return false;
            }
            if (best == null) {
                return true;
            }
            if (accuracyFirst) {
                return Math.round(accuracyCeiling * 1e6) >= bestAccuracy;
            }
            double share = 0;
            for (int u = 0; u < n; u++) {
                share += u <= t ? loads[u].totalShare() : minShare[u];
            }
            return Math.round(share * 100) <= bestShare;
        }

        void leaf() {
            leaves++;
            Evaluation e = evaluator.evaluate(choice, spills, false);
            if (!e.feasible()) {
                return;
            }
            long share = Math.round(e.totalShare() * 100);
            long accuracy = Math.round(e.accuracy() * 1e6);
            boolean better = best == null
                    || (accuracyFirst
                        ? accuracy > bestAccuracy || (accuracy == bestAccuracy && share < bestShare)
                        : share < bestShare || (share == bestShare && accuracy > bestAccuracy));
            if (better) {
                best = choice.clone();
                bestSpills = spills.clone();
                bestShare = share;
                bestAccuracy = accuracy;
            }
        }
    }
}
