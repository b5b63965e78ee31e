package io.jigsaw.planner.solver;

import io.jigsaw.planner.model.PlanEvaluator;
import io.jigsaw.planner.model.PlanningInstance;
import io.jigsaw.planner.model.Policy;
import io.jigsaw.planner.model.SolvedPlan;
import io.jigsaw.planner.model.Spill;
import io.jigsaw.planner.model.TaskOption;
import org.optaplanner.core.api.score.buildin.hardmediumsoftlong.HardMediumSoftLongScore;
import org.optaplanner.core.api.solver.Solver;
import org.optaplanner.core.api.solver.SolverFactory;
import org.optaplanner.core.config.constructionheuristic.ConstructionHeuristicPhaseConfig;
import org.optaplanner.core.config.heuristic.selector.move.composite.CartesianProductMoveSelectorConfig;
import org.optaplanner.core.config.heuristic.selector.move.composite.UnionMoveSelectorConfig;
import org.optaplanner.core.config.heuristic.selector.move.factory.MoveIteratorFactoryConfig;
import org.optaplanner.core.config.heuristic.selector.move.generic.ChangeMoveSelectorConfig;
import org.optaplanner.core.config.localsearch.LocalSearchPhaseConfig;
import org.optaplanner.core.config.localsearch.decider.acceptor.LocalSearchAcceptorConfig;
import org.optaplanner.core.config.localsearch.decider.forager.LocalSearchForagerConfig;
import org.optaplanner.core.config.score.director.ScoreDirectorFactoryConfig;
import org.optaplanner.core.api.score.stream.ConstraintStreamImplType;
import org.optaplanner.core.config.solver.EnvironmentMode;
import org.optaplanner.core.config.solver.SolverConfig;
import org.optaplanner.core.config.solver.termination.TerminationConfig;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Jointly chooses every task's variant, batch and partition share with OptaPlanner: a first-fit
 * construction, then tabu search over single-task changes, pairs and re-fits. Replicas, placement
 * and budgets follow from the choice (see {@link PlanEvaluator}).
 */
public final class PlanSolver {

    /** Relative to 1 for single changes and 1 for pairs. */
    private static final double REFIT_WEIGHT = 0.05;

    /** However little time is left, the search gets this much, so a plan always comes out. */
    private static final Duration MIN_SEARCH = Duration.ofMillis(10);

    private final SolverSettings settings;

    public PlanSolver(SolverSettings settings) {
        this.settings = settings;
    }

    public SolvedPlan solve(PlanningInstance instance) {
        return solve(instance, null);
    }

    /**
     * @param near a plan to start from (e.g. the plan for a slightly lower demand, in a capacity search): its options join the
     *     search's lists, and the search starts at it rather than at a construction; null: none
     */
    public SolvedPlan solve(PlanningInstance instance, SolvedPlan near) {
        long start = System.nanoTime();
        PlanEvaluator evaluator = new PlanEvaluator(instance);
        // Where the objective is the least share, search first with room for every replica: packing on few GPUs is
        // a hard rule that walls off the plans between two feasible ones (on Loki's app at 252 req/s, 60 ms, 8 GPUs,
        // the search with the GPUs' limit stalled at a plan 0.0045 short of the accuracy SLO; with room it found the
        // 800 % plan that packs on the 8). The least-share plan with room is the least-share plan on the GPUs
        // whenever it packs on them; when it does not, the second phase searches on the GPUs from it.
        boolean relax = instance.policy().objective() == Policy.Objective.LEAST_SHARE_THEN_ACCURACY;
        PlanEvaluator searched = relax ? new PlanEvaluator(instance.withGpus(instance.gpus() * ROOM)) : evaluator;
        List<List<TaskOption>> shortlist = withStart(OptionShortlist.of(searched), near == null ? null : near.choice());
        List<List<Spill>> spills = withStart(OptionShortlist.spills(searched), near == null ? null : near.spills());
        Duration total = timeLeft(start);
        long[] bestAt = {System.nanoTime()};
        List<TaskAssignment> first = assignments(instance, searched, shortlist, spills);
        if (near != null) {
            startAt(first, near.choice().toArray(TaskOption[]::new), near.spills().toArray(Spill[]::new));
        }
        GraphPlan best = search(first, relax ? Duration.ofMillis(total.toMillis() * 2 / 3) : total, relax ? capacityReached(instance) : null, bestAt);
        TaskOption[] choice = choiceOf(best);
        Spill[] split = spillsOf(best);
        Descent.polish(searched, shortlist, spills, choice, split);
        if (relax && !evaluator.evaluate(choice, split, false).feasible()) {
            Duration left = timeLeft(start);
            List<TaskAssignment> second = assignments(instance, evaluator, shortlist, spills);
            startAt(second, choice, split);
            GraphPlan onGpus = search(second, left, null, bestAt);
            choice = choiceOf(onGpus);
            split = spillsOf(onGpus);
            Descent.polish(evaluator, shortlist, spills, choice, split);
        }
        return new SolvedPlan(instance, List.of(choice), List.of(split), evaluator.evaluate(choice, split, true), "optaplanner",
                Duration.ofNanos(System.nanoTime() - start), Duration.ofNanos(bestAt[0] - start));
    }

    /**
     * What is left of the caller's limit for the whole solve, begun at {@code start}: the shortlist before the search and
     * the final packing after it come out of it (a fiftieth held back for the packing).
     */
    private Duration timeLeft(long start) {
        return Duration.ofMillis(settings.limit().minusNanos(System.nanoTime() - start).minus(settings.limit().dividedBy(50)).toMillis());
    }

    /** Searches with each GPU of the instance this many times over, in the first phase (a plan above it is far from any that packs). */
    private static final int ROOM = 4;

    /** For a feasibility question: the first-phase plan that meets every rule and fits the GPUs' total share ends the search. */
    private Predicate<HardMediumSoftLongScore> capacityReached(PlanningInstance instance) {
        if (!settings.stopAtFirstFeasible()) {
            return null;
        }
        long available = Math.round(instance.gpus() * (100 - instance.frameworkReservePct()) * 100);
        return score -> score.hardScore() == 0 && -score.mediumScore() <= available;
    }

    private static List<TaskAssignment> assignments(PlanningInstance instance, PlanEvaluator evaluator, List<List<TaskOption>> shortlist,
            List<List<Spill>> spills) {
        List<TaskAssignment> out = new ArrayList<>();
        for (int t = 0; t < instance.tasks().size(); t++) {
            List<TaskOption> options = shortlist.get(t);
            // Pseudo-tasks have one option: fix it, so the search spends no moves there.
            out.add(new TaskAssignment(t, instance.tasks().get(t).name(), options, spills.get(t), evaluator,
                    options.size() == 1 ? options.get(0) : null));
        }
        return out;
    }

    /** Sets every assignment to this plan (the construction then has nothing left to do). */
    private static void startAt(List<TaskAssignment> assignments, TaskOption[] choice, Spill[] split) {
        for (TaskAssignment a : assignments) {
            a.setOption(choice[a.getIndex()]);
            a.setSpill(split[a.getIndex()]);
        }
    }

    /** Each task's list with the start's value added where the list lacks it (a start outside the value range would be refused). */
    private static <T> List<List<T>> withStart(List<List<T>> lists, List<T> start) {
        if (start == null) {
            return lists;
        }
        List<List<T>> out = new ArrayList<>();
        for (int t = 0; t < lists.size(); t++) {
            List<T> l = new ArrayList<>(lists.get(t));
            if (!l.contains(start.get(t))) {
                l.add(start.get(t));
            }
            out.add(List.copyOf(l));
        }
        return out;
    }

    /** One local search from these assignments (the construction fills what is unset); {@code stopWhen} may end it early. */
    private GraphPlan search(List<TaskAssignment> assignments, Duration limit, Predicate<HardMediumSoftLongScore> stopWhen,
            long[] bestAt) {
        Solver<GraphPlan> solver = SolverFactory.<GraphPlan>create(config(limit.compareTo(MIN_SEARCH) < 0 ? MIN_SEARCH : limit, stopWhen == null))
                .buildSolver();
        solver.addEventListener(event -> {
            bestAt[0] = System.nanoTime();
            if (stopWhen != null && stopWhen.test((HardMediumSoftLongScore) event.getNewBestScore())) {
                solver.terminateEarly();
            }
        });
        return solver.solve(new GraphPlan(assignments));
    }

    private static TaskOption[] choiceOf(GraphPlan plan) {
        TaskOption[] choice = new TaskOption[plan.getAssignments().size()];
        plan.getAssignments().forEach(a -> choice[a.getIndex()] = a.getOption());
        return choice;
    }

    private static Spill[] spillsOf(GraphPlan plan) {
        Spill[] split = new Spill[plan.getAssignments().size()];
        plan.getAssignments().forEach(a -> split[a.getIndex()] = a.getSpill());
        return split;
    }

    /** @param stopAtFeasible whether the caller's first-feasible setting ends this search (not where it has its own stop) */
    private SolverConfig config(Duration searchLimit, boolean stopAtFeasible) {
        TerminationConfig termination = new TerminationConfig()
                .withSpentLimit(searchLimit)
                .withUnimprovedSpentLimit(settings.unimproved());
        if (stopAtFeasible && settings.stopAtFirstFeasible()) {
            termination.setBestScoreFeasible(true);
        }
        return new SolverConfig()
                .withSolutionClass(GraphPlan.class)
                .withEntityClasses(TaskAssignment.class)
                .withScoreDirectorFactory(new ScoreDirectorFactoryConfig()
                        .withConstraintProviderClass(PlanConstraints.class)
                        .withConstraintStreamImplType(ConstraintStreamImplType.BAVET))
                .withEnvironmentMode(EnvironmentMode.REPRODUCIBLE)
                .withRandomSeed(settings.seed())
                .withTerminationConfig(termination)
                .withPhases(new ConstructionHeuristicPhaseConfig(),
                        new LocalSearchPhaseConfig()
                                .withMoveSelectorConfig(moves())
                                .withAcceptorConfig(new LocalSearchAcceptorConfig().withEntityTabuRatio(0.5).withValueTabuSize(20))
                                .withForagerConfig(new LocalSearchForagerConfig().withAcceptedCountLimit(500)));
    }

    /**
     * Single changes; pairs (trading a cheaper detector for a more accurate classifier is one step only
     * if two tasks change at once); and, rarely, a change with every other task re-fitted to it
     * ({@link RefitMoveFactory}: about one move in 40, as each costs a plan evaluation per option of
     * every task; on a generated 10-task instance they still took 87 % of the search's evaluations). Without the re-fits the search stalled 14 % above the optimum on PlannerBench's
     * generated instance 5 (and 21 % on instance 11 under another random seed).
     */
    private static UnionMoveSelectorConfig moves() {
        MoveIteratorFactoryConfig refits = new MoveIteratorFactoryConfig().withMoveIteratorFactoryClass(RefitMoveFactory.class);
        refits.setFixedProbabilityWeight(REFIT_WEIGHT);
        return new UnionMoveSelectorConfig(List.of(
                new ChangeMoveSelectorConfig(),
                new CartesianProductMoveSelectorConfig(List.of(new ChangeMoveSelectorConfig(), new ChangeMoveSelectorConfig())),
                refits));
    }
}
