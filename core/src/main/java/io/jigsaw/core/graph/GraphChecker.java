package io.jigsaw.core.graph;

import io.jigsaw.core.input.InputException;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The structural rules every graph obeys whichever format it came from: unique task names, known
 * parents, no cycle, exactly one root, fan-out only to children. Returns the tasks in topological
 * order (root first), which is the order the job wires operators in.
 */
final class GraphChecker {

    private GraphChecker() {
    }

    static List<Task> check(Path file, List<Task> tasks) {
        return check(file, tasks, List.of());
    }

    /** @param outputs the declared {@code outputs:} (empty: the leaves) */
    static List<Task> check(Path file, List<Task> tasks, List<String> outputs) {
        if (tasks.isEmpty()) {
            throw new InputException(file, "tasks", "a graph needs at least one task");
        }
        Map<String, Task> byName = new LinkedHashMap<>();
        for (int i = 0; i < tasks.size(); i++) {
            Task t = tasks.get(i);
            if (byName.put(t.name(), t) != null) {
                throw new InputException(file, "tasks[" + i + "].name", "duplicate task '" + t.name() + "'");
            }
            if (t.variants().isEmpty()) {
                throw new InputException(file, "tasks[" + i + "].variants", "task '" + t.name() + "' has no variants");
            }
        }
        for (int i = 0; i < tasks.size(); i++) {
            Task t = tasks.get(i);
            for (String parent : t.after()) {
                if (!byName.containsKey(parent)) {
                    throw new InputException(file, "tasks[" + i + "].after",
                            "task '" + t.name() + "' runs after unknown task '" + parent + "' (known: " + byName.keySet() + ")");
                }
            }
        }
        List<Task> order = topological(file, byName);
        List<String> roots = tasks.stream().filter(t -> t.after().isEmpty()).map(Task::name).toList();
        if (roots.size() != 1) {
            throw new InputException(file, "tasks", "a graph has exactly one root task (one with no 'after'); found " + roots);
        }
        for (Task t : tasks) {
            Set<String> kids = new HashSet<>();
            tasks.stream().filter(k -> k.after().contains(t.name())).forEach(k -> kids.add(k.name()));
            for (Variant v : t.variants()) {
                for (Map.Entry<String, Double> e : v.fanout().entrySet()) {
                    if (!kids.contains(e.getKey())) {
                        throw new InputException(file, "task " + t.name() + ", variant " + v.name() + ", fanout",
                                "'" + e.getKey() + "' is not a child of '" + t.name() + "' (children: " + kids + ")");
                    }
                    if (!(e.getValue() >= 0) || Double.isInfinite(e.getValue())) {
                        throw new InputException(file, "task " + t.name() + ", variant " + v.name() + ", fanout." + e.getKey(),
                                "expected a mean count >= 0, found " + e.getValue());
                    }
                }
            }
        }
        for (Task t : tasks) {
            checkInput(file, t);
        }
        for (String o : outputs) {
            if (!byName.containsKey(o)) {
                throw new InputException(file, "outputs", "unknown task '" + o + "' (tasks: " + byName.keySet() + ")");
            }
        }
        return order;
    }

    /** A task reads from its own parents only, and a join names each of its branches once. */
    private static void checkInput(Path file, Task t) {
        String where = "task " + t.name() + ", input";
        if (t.input() instanceof TaskInput.ParentTensor p) {
            singleParent(file, where, t, p.from());
        } else if (t.input() instanceof TaskInput.Crops c) {
            singleParent(file, where, t, c.from());
            if (!(c.minScore() >= 0 && c.minScore() <= 1)) {
                throw new InputException(file, where + ".crops.min_score", "expected a score in [0, 1], found " + c.minScore());
            }
        } else if (t.input() instanceof TaskInput.Join j) {
            List<String> named = j.branches().stream().map(TaskInput.ParentTensor::from).toList();
            if (t.after().size() < 2 || !new HashSet<>(named).equals(new HashSet<>(t.after())) || named.size() != t.after().size()) {
                throw new InputException(file, where + ".join", "a join names each of its parents " + t.after()
                        + " once, found " + named);
            }
        }
    }

    private static void singleParent(Path file, String where, Task t, String from) {
        if (t.after().size() != 1 || !t.after().get(0).equals(from)) {
            throw new InputException(file, where + ".from", "'" + from + "' is not the one parent of '" + t.name()
                    + "' (after: " + t.after() + "; a task with several parents takes a join)");
        }
    }

    /** Kahn's algorithm; what is left over lies on a cycle, which we name. */
    private static List<Task> topological(Path file, Map<String, Task> byName) {
        Map<String, Integer> indegree = new HashMap<>();
        byName.values().forEach(t -> indegree.put(t.name(), t.after().size()));
        Deque<String> ready = new ArrayDeque<>();
        byName.values().stream().filter(t -> t.after().isEmpty()).forEach(t -> ready.add(t.name()));
        List<Task> order = new ArrayList<>();
        while (!ready.isEmpty()) {
            Task t = byName.get(ready.poll());
            order.add(t);
            for (Task kid : byName.values()) {
                if (kid.after().contains(t.name()) && indegree.merge(kid.name(), -1, Integer::sum) == 0) {
                    ready.add(kid.name());
                }
            }
        }
        if (order.size() < byName.size()) {
            throw new InputException(file, "tasks", "the graph has a cycle: " + cycle(byName, indegree));
        }
        return order;
    }

    private static String cycle(Map<String, Task> byName, Map<String, Integer> indegree) {
        String start = indegree.entrySet().stream().filter(e -> e.getValue() > 0).findFirst().orElseThrow().getKey();
        List<String> seen = new ArrayList<>();
        String at = start;
        while (!seen.contains(at)) {
            seen.add(at);
            at = byName.get(at).after().stream().filter(p -> indegree.get(p) > 0).findFirst().orElseThrow();
        }
        List<String> loop = new ArrayList<>(seen.subList(seen.indexOf(at), seen.size()));
        java.util.Collections.reverse(loop);
        loop.add(loop.get(0));
        return String.join(" -> ", loop);
    }
}
