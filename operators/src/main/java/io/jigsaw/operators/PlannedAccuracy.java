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

    /** The planned end-to-end accuracy of a request whose tasks ran their variants in these {@link #shares}. */
    double of(double[][] shares) {
        return combinations.expected(shares);
    }

    /**
     * The one combination that served the request, when each task's pieces ran on a single variant (no split,
     * ladder or cascade mixed them): what its live end-to-end score is credited to.
     */
    Optional<List<String>> combination(double[][] shares) {
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

    /**
     * Per task (graph order), per variant (the combinations' order), the share of the request's pieces it ran.
     *
     * @param reports the request's output tasks' reports (per object or per frame, each naming its variant)
     * @param variants task → the variant a piece of the request ran (the first, where several did)
     */
    double[][] shares(TaskReport[] reports, Map<String, String> variants) {
        if (lastSeen == null) {
            lastSeen = new HashMap<>(combinations.bestCombination());
        }
        List<Task> tasks = graph.tasks();
        int[][] pieces = new int[tasks.size()][];
        int[] current = new int[tasks.size()];
        for (int t = 0; t < tasks.size(); t++) {
            String task = tasks.get(t).name();
            List<String> names = combinations.variants().get(t);
            pieces[t] = new int[names.size()];
            String ran = variants.get(task);
            if (reports != null) {
                for (TaskReport r : reports) {
                    int v = r.task.equals(task) ? names.indexOf(r.variant) : -1;
                    if (v >= 0) {
                        pieces[t][v]++;
                        ran = r.variant;
                    }
                }
            }
            if (ran != null && names.contains(ran)) {
                lastSeen.put(task, ran);
            }
            current[t] = Math.max(0, names.indexOf(lastSeen.get(task)));
        }
        return Combinations.shares(pieces, current);
    }
}
