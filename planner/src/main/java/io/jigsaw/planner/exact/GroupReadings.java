package io.jigsaw.planner.exact;

import io.jigsaw.planner.model.PlanEvaluator;
import io.jigsaw.planner.model.Spill;
import io.jigsaw.planner.model.TaskOption;

import java.util.ArrayList;
import java.util.List;

/**
 * A relaxation's groups per task read as plans of the planner's model: a task's one group is its option; of two, one is
 * the main option and the other a split whose replicas run full, either way round. Both MILP relaxations
 * ({@link PathRoutingIlp}, {@link PerTaskRelaxation}) check their solutions this way.
 */
final class GroupReadings {

    /** One group of a relaxation's solution: an option and its replicas. */
    record Group(TaskOption option, int replicas) {
    }

    /** One way to read the groups: an option and a split (or {@link Spill#NONE}) per task. */
    record Reading(TaskOption[] choice, Spill[] spills) {
    }

    private GroupReadings() {
    }

    /**
     * Every distinct reading, the first with each task's first group as its main option; a task with no group (a
     * pseudo-task) takes its first option. At most two groups per task.
     */
    static List<Reading> of(List<List<Group>> byTask, PlanEvaluator evaluator) {
        int n = byTask.size();
        List<Reading> out = new ArrayList<>();
        for (int flips = 0; flips < 1 << n; flips++) {
            TaskOption[] choice = new TaskOption[n];
            Spill[] spills = new Spill[n];
            boolean repeat = false;
            for (int t = 0; t < n; t++) {
                List<Group> gs = byTask.get(t);
                boolean flipped = (flips >> t & 1) == 1;
                spills[t] = Spill.NONE;
                if (gs.size() < 2) {
                    // Flipping a task with one group or none reads the same plan again.
                    repeat |= flipped;
                    choice[t] = gs.isEmpty() ? evaluator.options(t).get(0) : gs.get(0).option();
                    continue;
                }
                Group main = gs.get(flipped ? 1 : 0);
                Group other = gs.get(flipped ? 0 : 1);
                choice[t] = main.option();
                spills[t] = new Spill(other.option(), other.replicas());
            }
            if (!repeat) {
                out.add(new Reading(choice, spills));
            }
        }
        return out;
    }
}
