package io.jigsaw.core.graph;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One XR application: a DAG of tasks with a single root, its SLOs and input spec.
 * Built only by {@link GraphLoader}, which checks it; tasks are kept in topological order.
 *
 * @param accuracySlo end-to-end accuracy as a fraction of the best achievable (Loki's apps carry none)
 * @param warnings fallbacks the loader applied (missing side-file rows); shown to the user, never silent
 */
public record Graph(String name, double latencySloMs, double accuracySlo, TensorSpec inputSpec, List<Task> tasks,
        String modelsDirectory, List<String> warnings) implements Serializable {

    /** inputSpec and modelsDirectory may be null (Loki apps have neither): read them through the Optionals. */
    public Graph {
        tasks = List.copyOf(tasks);
        warnings = List.copyOf(warnings);
    }

    public Optional<TensorSpec> input() {
        return Optional.ofNullable(inputSpec);
    }

    /** Where relative {@code model:} paths are resolved (the graph file's {@code models_dir}). */
    public Optional<Path> modelsDir() {
        return Optional.ofNullable(modelsDirectory).map(Path::of);
    }

    /** The same graph with another accuracy SLO (the CLI's {@code --accuracy-slo}). */
    public Graph withAccuracySlo(double slo) {
        return new Graph(name, latencySloMs, slo, inputSpec, tasks, modelsDirectory, warnings);
    }

    /** Where a variant's SavedModel is: its {@code model:} path, resolved against the models dir if relative. */
    public Optional<Path> modelPath(Variant variant) {
        return variant.model().map(m -> {
            Path p = Path.of(m);
            return p.isAbsolute() ? p : modelsDir().orElse(Path.of(".")).resolve(p);
        });
    }

    /** The same graph serving SavedModels from another directory (the CLI's {@code --models-dir}, tests). */
    public Graph withModelsDir(String dir) {
        return new Graph(name, latencySloMs, accuracySlo, inputSpec, tasks, dir, warnings);
    }

    public Optional<Task> task(String taskName) {
        return tasks.stream().filter(t -> t.name().equals(taskName)).findFirst();
    }

    public Task root() {
        return tasks.get(0);
    }

    public List<Task> children(String taskName) {
        return tasks.stream().filter(t -> t.after().contains(taskName)).toList();
    }

    /**
     * The share of one request's credit that reaches a task: the root holds 1, and every task passes
     * its share on split evenly among its children (see {@link Credit}).
     */
    public Credit creditInto(String taskName) {
        Map<String, Credit> into = new HashMap<>();
        for (Task t : tasks) {
            Credit c = t.after().isEmpty() ? Credit.ONE : Credit.ZERO;
            for (String parent : t.after()) {
                c = c.plus(into.get(parent).dividedBy(children(parent).size()));
            }
            into.put(t.name(), c);
            if (t.name().equals(taskName)) {
                return c;
            }
        }
        throw new IllegalArgumentException("no task '" + taskName + "' in graph " + name);
    }

    /** Root-to-leaf paths, as task names; used for path latency and accuracy. */
    public List<List<String>> paths() {
        List<List<String>> out = new ArrayList<>();
        walk(root().name(), new ArrayList<>(), out);
        return out;
    }

    private void walk(String task, List<String> prefix, List<List<String>> out) {
        prefix.add(task);
        List<Task> kids = children(task);
        if (kids.isEmpty()) {
            out.add(List.copyOf(prefix));
        }
        for (Task kid : kids) {
            walk(kid.name(), prefix, out);
        }
        prefix.remove(prefix.size() - 1);
    }

    /** Task name to its variants' names, in graph order; for messages. */
    public Map<String, List<String>> catalog() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        tasks.forEach(t -> out.put(t.name(), t.variants().stream().map(Variant::name).toList()));
        return out;
    }
}
