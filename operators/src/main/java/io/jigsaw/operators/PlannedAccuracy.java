package io.jigsaw.operators;

import io.jigsaw.core.graph.Combinations;
import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.Task;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The accuracy a request was planned to get, in the graph's own units, from the variants that served
 * it: the measured combinations' end-to-end accuracy ({@link Combinations#expected}), each task's
 * variants weighted by the pieces they ran for this request. A task that ran no piece for it (no
 * object found for a crop-fed task) counts with the variant it ran last in this assembler — the plan
 * in force — since any of its variants would have answered this request the same; before any, with
 * the variant of the best combination.
 */
final class PlannedAccuracy implements Serializable {

    private final Graph graph;
    private final Combinations combinations;
    /** task → the variant seen last: best effort, not checkpointed (a restore starts from the best combination's). */
    private transient Map<String, String> lastSeen;

    PlannedAccuracy(Graph graph) {
        this.graph = graph;
        this.combinations = graph.measuredCombinations().orElseThrow();
    }

    /**
     * @param reports the request's output tasks' reports (per object or per frame, each naming its variant)
     * @param variants task → the variant a piece of the request ran (the first, where several did)
     */
    double of(TaskReport[] reports, Map<String, String> variants) {
        return combinations.expected(shares(reports, variants));
    }

    /**
     * The one combination that served the request, when each task's pieces ran on a single variant (no split,
     * ladder or cascade mixed them): what its live end-to-end score is credited to.
     */
    Optional<List<String>> combination(TaskReport[] reports, Map<String, String> variants) {
        double[][] shares = shares(reports, variants);
        List<String> out = new ArrayList<>();
        for (int t = 0; t < shares.length; t++) {
            int only = -1;
            for (int v = 0; v < shares[t].length; v++) {
                if (shares[t][v] == 1) {
                    only = v;
                }
            }
            if (only < 0) {
                return Optional.empty();
            }
            out.add(combinations.variants().get(t).get(only));
        }
        return Optional.of(out);
    }

    private double[][] shares(TaskReport[] reports, Map<String, String> variants) {
        if (lastSeen == null) {
            lastSeen = new HashMap<>(combinations.bestCombination());
        }
        List<Task> tasks = graph.tasks();
        double[][] shares = new double[tasks.size()][];
        for (int t = 0; t < tasks.size(); t++) {
            String task = tasks.get(t).name();
            List<String> names = combinations.variants().get(t);
            shares[t] = new double[names.size()];
            int counted = 0;
            if (reports != null) {
                for (TaskReport r : reports) {
                    int v = r.task.equals(task) ? names.indexOf(r.variant) : -1;
                    if (v >= 0) {
                        shares[t][v]++;
                        counted++;
                        lastSeen.put(task, r.variant);
                    }
                }
            }
            if (counted > 0) {
                for (int v = 0; v < names.size(); v++) {
                    shares[t][v] /= counted;
                }
                continue;
            }
            String ran = variants.get(task);
            if (ran != null && names.contains(ran)) {
                lastSeen.put(task, ran);
            }
            shares[t][Math.max(0, names.indexOf(lastSeen.get(task)))] = 1;
        }
        return shares;
    }
}
