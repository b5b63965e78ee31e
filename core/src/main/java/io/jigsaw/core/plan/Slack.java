package io.jigsaw.core.plan;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.Task;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How much of a piece's time the tasks below one task still need under a plan: the longest chain of
 * planned latency budgets from its children to a leaf. A task may spend a piece's deadline less this;
 * the job and the simulator judge a ladder's rungs and a cascade's escalations by it.
 */
public final class Slack {

    private Slack() {
    }

    /** Task → the budget its descendants need after it (0 at a leaf), under {@code plan}. */
    public static Map<String, Double> downstreamMs(Graph graph, Plan plan) {
        Map<String, Double> out = new HashMap<>();
        for (Task t : graph.tasks()) {
            below(graph, plan, t.name(), out);
        }
        return out;
    }

    private static double below(Graph graph, Plan plan, String task, Map<String, Double> memo) {
        Double known = memo.get(task);
        if (known != null) {
            return known;
        }
        double longest = 0;
        for (Task kid : graph.children(task)) {
            double budget = plan.task(kid.name()).map(TaskPlan::latencyBudgetMs).orElse(0.0);
            longest = Math.max(longest, budget + below(graph, plan, kid.name(), memo));
        }
        memo.put(task, longest);
        return longest;
    }

    /**
     * The ladder's first (most accurate) rung whose batch fits {@code slackMs}; the last (fastest)
     * when none does: the batch runs as fast as the plan allows and early drop judges the rest.
     */
    public static Adaptation.Rung fit(List<Adaptation.Rung> ladder, double slackMs) {
        for (Adaptation.Rung r : ladder) {
            if (r.batchMs() <= slackMs) {
                return r;
            }
        }
        return ladder.get(ladder.size() - 1);
    }
}
