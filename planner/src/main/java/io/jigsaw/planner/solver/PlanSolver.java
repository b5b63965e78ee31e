package io.jigsaw.planner.solver;

import io.jigsaw.planner.model.PlanEvaluator;
import io.jigsaw.planner.model.PlanningInstance;
import io.jigsaw.planner.model.SolvedPlan;
import io.jigsaw.planner.model.Spill;
import io.jigsaw.planner.model.TaskOption;
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
        long start = System.nanoTime();
        PlanEvaluator evaluator = new PlanEvaluator(instance);
        List<List<TaskOption>> shortlist = OptionShortlist.of(evaluator);
        List<List<Spill>> spills = OptionShortlist.spills(evaluator);
        List<TaskAssignment> assignments = new ArrayList<>();
        for (int t = 0; t < instance.tasks().size(); t++) {
            List<TaskOption> options = shortlist.get(t);
            // Pseudo-tasks have one option: fix it, so the search spends no moves there.
            assignments.add(new TaskAssignment(t, instance.tasks().get(t).name(), options, spills.get(t), evaluator,
                    options.size() == 1 ? options.get(0) : null));
        }
        // The limit is the caller's for the whole solve: the shortlist before the search and the final
        // packing after it come out of it (a fiftieth held back for the packing).
        Duration left = Duration.ofMillis(settings.limit().minusNanos(System.nanoTime() - start).minus(settings.limit().dividedBy(50)).toMillis());
        Solver<GraphPlan> solver = SolverFactory.<GraphPlan>create(config(left.compareTo(MIN_SEARCH) < 0 ? MIN_SEARCH : left))
                .buildSolver();
        long[] bestAt = {System.nanoTime()};
        solver.addEventListener(event -> bestAt[0] = System.nanoTime());
        GraphPlan best = solver.solve(new GraphPlan(assignments));
        TaskOption[] choice = new TaskOption[assignments.size()];
        Spill[] split = new Spill[assignments.size()];
        best.getAssignments().forEach(a -> {
            choice[a.getIndex()] = a.getOption();
            split[a.getIndex()] = a.getSpill();
        });
        return new SolvedPlan(instance, List.of(choice), List.of(split), evaluator.evaluate(choice, split, true), "optaplanner",
                Duration.ofNanos(System.nanoTime() - start), Duration.ofNanos(bestAt[0] - start));
    }

    private SolverConfig config(Duration searchLimit) {
        TerminationConfig termination = new TerminationConfig()
                .withSpentLimit(searchLimit)
                .withUnimprovedSpentLimit(settings.unimproved());
        if (settings.stopAtFirstFeasible()) {
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
