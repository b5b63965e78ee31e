package io.jigsaw.core.plan;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.Task;
import io.jigsaw.core.input.InputException;

import java.nio.file.Path;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The rules a plan must satisfy before any operator applies it (DESIGN.md): it is for this graph,
 * names every task once with one of its variants, batches of at least one, at least one replica,
 * shares in (0, 100] and no GPU over 100 %. Returns every problem, not just the first, so a person
 * fixing a plan file sees them all.
 */
public final class PlanValidator {

    /** Shares are percents written by people and solvers: allow float noise, not real overcommit. */
    private static final double SHARE_TOLERANCE = 1e-6;

    private PlanValidator() {
    }

    /** The plan read from {@code file}, or an error naming the file and every problem. */
    public static Plan requireValid(Plan plan, Graph graph, Path file) {
        List<String> problems = problems(plan, graph);
        if (!problems.isEmpty()) {
            throw new InputException(file, "", "plan not valid for graph " + graph.name() + ": " + String.join("; ", problems));
        }
        return plan;
    }

    public static List<String> problems(Plan plan, Graph graph) {
        List<String> problems = new ArrayList<>();
        if (!plan.graph().equals(graph.name())) {
            problems.add("plan is for graph '" + plan.graph() + "', not '" + graph.name() + "'");
            return problems;
        }
        Set<String> seen = new HashSet<>();
        Map<Integer, Double> gpuShare = new HashMap<>();
        for (TaskPlan tp : plan.tasks()) {
            if (!seen.add(tp.task())) {
                problems.add("task '" + tp.task() + "' is planned twice");
            }
            Task task = graph.task(tp.task()).orElse(null);
            if (task == null) {
                problems.add("unknown task '" + tp.task() + "' (graph tasks: " + graph.catalog().keySet() + ")");
                continue;
            }
            if (task.variant(tp.variant()).isEmpty()) {
                problems.add("task '" + tp.task() + "': unknown variant '" + tp.variant() + "' (variants: "
                        + graph.catalog().get(tp.task()) + ")");
            }
            if (tp.batchSize() < 1) {
                problems.add("task '" + tp.task() + "': batch_size must be >= 1, found " + tp.batchSize());
            }
            if (!(tp.batchTimeoutMs() >= 0)) {
                problems.add("task '" + tp.task() + "': batch_timeout_ms must be >= 0, found " + tp.batchTimeoutMs());
            }
            if (tp.partitions().isEmpty() && !task.pseudo()) {
                problems.add("task '" + tp.task() + "': needs at least one partition (replica)");
            }
            adaptationProblems(tp, task, graph, problems);
            for (Partition p : tp.partitions()) {
                if (p.gpu() < 0) {
                    problems.add("task '" + tp.task() + "': gpu index must be >= 0, found " + p.gpu());
                }
                if (!(p.share() > 0 && p.share() <= 100)) {
                    problems.add("task '" + tp.task() + "': share must be in (0, 100] percent, found " + p.share());
                }
                if (p.variant() != null && task.variant(p.variant()).isEmpty()) {
                    problems.add("task '" + tp.task() + "': a partition runs unknown variant '" + p.variant() + "' (variants: "
                            + graph.catalog().get(tp.task()) + ")");
                }
                if (p.batchSize() < 0) {
                    problems.add("task '" + tp.task() + "': a partition's batch_size must be >= 1 (or 0: the task's), found " + p.batchSize());
                }
                if (!(p.weight() >= 0 && p.weight() <= 1)) {
                    problems.add("task '" + tp.task() + "': a partition's weight (fraction of the task's traffic) must be in [0, 1], found "
                            + p.weight());
                }
                gpuShare.merge(p.gpu(), p.share(), Double::sum);
            }
        }
        for (Task t : graph.tasks()) {
            if (!seen.contains(t.name())) {
                problems.add("task '" + t.name() + "' is missing from the plan");
            }
        }
        gpuShare.forEach((gpu, share) -> {
            if (share > 100 + SHARE_TOLERANCE) {
                problems.add("GPU " + gpu + " is over-committed: its partitions add up to " + share + " %");
            }
        });
        return problems;
    }

    private static void adaptationProblems(TaskPlan tp, Task task, Graph graph, List<String> problems) {
        String where = "task '" + tp.task() + "': ";
        for (Adaptation.Rung r : tp.adaptation().ladder()) {
            if (task.variant(r.variant()).isEmpty()) {
                problems.add(where + "ladder rung names unknown variant '" + r.variant() + "' (variants: " + graph.catalog().get(tp.task()) + ")");
            }
            if (!(r.batchMs() >= 0)) {
                problems.add(where + "ladder rung " + r.variant() + ": batch_ms must be >= 0, found " + r.batchMs());
            }
        }
        Adaptation.Cascade c = tp.adaptation().cascade();
        if (c == null) {
            return;
        }
        if (task.labels().isEmpty()) {
            problems.add(where + "a cascade escalates on the top label score, and this task has no labels");
        }
        if (task.variant(c.escalateTo()).isEmpty()) {
            problems.add(where + "cascade escalates to unknown variant '" + c.escalateTo() + "' (variants: " + graph.catalog().get(tp.task()) + ")");
        }
        if (!(c.threshold() >= 0 && c.threshold() <= 1)) {
            problems.add(where + "cascade threshold must be a score in [0, 1], found " + c.threshold());
        }
        if (!(c.escalateBatchMs() >= 0)) {
            problems.add(where + "cascade escalate_batch_ms must be >= 0, found " + c.escalateBatchMs());
        }
    }
}
