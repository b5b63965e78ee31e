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
 * @param accuracySlo end-to-end accuracy as a fraction of the best achievable (Loki's apps carry none), or in
 *     the graph's own units where {@code accuracySloAbsolute}
 * @param warnings fallbacks the loader applied (missing side-file rows); shown to the user, never silent
 * @param outputTasks the tasks whose outputs a result carries ({@code outputs:}); empty: the leaves
 * @param sourceFile the file it was read from, for errors found after loading (e.g. against the models); may be null
 * @param combinations the end-to-end accuracy measured for every combination of its variants ({@code combinations.csv}),
 *     or null: the planner then takes the path product of its variants' accuracies
 * @param accuracySloAbsolute whether {@code accuracySlo} is an end-to-end accuracy in the graph's own units (needs
 *     combinations), not a fraction of the best
 */
public record Graph(String name, double latencySloMs, double accuracySlo, TensorSpec inputSpec, List<Task> tasks,
        String modelsDirectory, List<String> warnings, List<String> outputTasks, String sourceFile, Combinations combinations,
        boolean accuracySloAbsolute) implements Serializable {

    /** inputSpec and modelsDirectory may be null (Loki apps have neither): read them through the Optionals. */
    public Graph {
        tasks = List.copyOf(tasks);
        warnings = List.copyOf(warnings);
        outputTasks = List.copyOf(outputTasks);
    }

    /** A graph whose results carry its leaves' outputs, not read from a file (tests, generated instances). */
    public Graph(String name, double latencySloMs, double accuracySlo, TensorSpec inputSpec, List<Task> tasks,
            String modelsDirectory, List<String> warnings) {
        this(name, latencySloMs, accuracySlo, inputSpec, tasks, modelsDirectory, warnings, List.of(), null, null, false);
    }

    /** The measured accuracy of its variant combinations, when `models` measured them for exactly these variants. */
    public Optional<Combinations> measuredCombinations() {
        return Optional.ofNullable(combinations);
    }

    /**
     * The least end-to-end accuracy a plan must reach: the SLO itself where it is stated in the graph's
     * units, else that fraction of {@code best} (the most accurate plan's accuracy under the model in use).
     */
    public double accuracyFloor(double best) {
        return accuracySloAbsolute ? accuracySlo : accuracySlo * best;
    }

    public Optional<TensorSpec> input() {
        return Optional.ofNullable(inputSpec);
    }

    /** Where relative {@code model:} paths are resolved (the graph file's {@code models_dir}). */
    public Optional<Path> modelsDir() {
        return Optional.ofNullable(modelsDirectory).map(Path::of);
    }

    /** The same graph with another accuracy SLO (the CLI's {@code --accuracy-slo}). */
    public Graph withLatencySlo(double ms) {
        return new Graph(name, ms, accuracySlo, inputSpec, tasks, modelsDirectory, warnings, outputTasks, sourceFile, combinations, accuracySloAbsolute);
    }

    public Graph withAccuracySlo(double slo) {
        return new Graph(name, latencySloMs, slo, inputSpec, tasks, modelsDirectory, warnings, outputTasks, sourceFile, combinations, false);
    }

    /** The same graph with other measured combinations of the same variants (e.g. some re-measured live). */
    public Graph withCombinations(Combinations measured) {
        return new Graph(name, latencySloMs, accuracySlo, inputSpec, tasks, modelsDirectory, warnings, outputTasks, sourceFile, measured,
                accuracySloAbsolute);
    }

    /** The same graph with an accuracy SLO in its own units (end-to-end, needs measured combinations). */
    public Graph withAbsoluteAccuracySlo(double endToEnd) {
        if (combinations == null) {
            throw new IllegalArgumentException("graph " + name + " has no measured combinations of its variants (" + Combinations.FILE
                    + "): an accuracy SLO in its own units needs them; give a fraction of the best instead");
        }
        return new Graph(name, latencySloMs, endToEnd, inputSpec, tasks, modelsDirectory, warnings, outputTasks, sourceFile, combinations, true);
    }

    /** How the accuracy SLO reads, e.g. "end-to-end >= 0.700" or "0.90 x the best". */
    public String accuracySloText() {
        return accuracySloAbsolute ? String.format(java.util.Locale.ROOT, "end-to-end >= %.3f", accuracySlo)
                : String.format(java.util.Locale.ROOT, "%.2f x the best", accuracySlo);
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
        return new Graph(name, latencySloMs, accuracySlo, inputSpec, tasks, dir, warnings, outputTasks, sourceFile, combinations, accuracySloAbsolute);
    }

    /** The same graph with other tasks (e.g. observed fan-outs in place of declared ones). */
    public Graph withTasks(List<Task> newTasks) {
        // Measured combinations hold for exactly the variants they were measured on.
        boolean same = combinations != null && combinations.variants().equals(
                newTasks.stream().map(t -> t.variants().stream().map(Variant::name).toList()).toList());
        return new Graph(name, latencySloMs, accuracySlo, inputSpec, newTasks, modelsDirectory, warnings, outputTasks, sourceFile,
                same ? combinations : null, same && accuracySloAbsolute);
    }

    /**
     * The same graph with each variant replaced by what {@code edit} makes of it (e.g. an observed
     * fan-out or a measured accuracy in place of the offline one); this very graph when it changed none.
     */
    public Graph withVariants(java.util.function.BiFunction<Task, Variant, Variant> edit) {
        List<Task> newTasks = new java.util.ArrayList<>();
        boolean changed = false;
        for (Task t : tasks) {
            List<Variant> variants = new java.util.ArrayList<>();
            for (Variant v : t.variants()) {
                Variant w = edit.apply(t, v);
                changed |= w != v;
                variants.add(w);
            }
            newTasks.add(new Task(t.name(), t.after(), variants, t.input(), t.outputLabels(), t.bestAccuracy()));
        }
        return changed ? withTasks(newTasks) : this;
    }

    /** The file it was read from, for error messages; "graph 'name'" when it was built in code. */
    public Path source() {
        return Path.of(sourceFile != null ? sourceFile : "graph '" + name + "'");
    }

    /** The tasks whose outputs every result carries: the declared {@code outputs:}, else the leaves. */
    public List<String> outputs() {
        if (!outputTasks.isEmpty()) {
            return outputTasks;
        }
        return tasks.stream().filter(t -> children(t.name()).isEmpty()).map(Task::name).toList();
    }

    /**
     * The most pieces of one request a task can receive: 1 at the root, times a crop input's
     * {@code max}, or the whole of a declared fan-out's mean rounded up; 1 after a join.
     */
    public int maxPieces(String taskName) {
        Task t = task(taskName).orElseThrow(() -> new IllegalArgumentException("no task '" + taskName + "' in graph " + name));
        if (t.after().isEmpty() || t.after().size() > 1) {
            return 1;
        }
        String parent = t.after().get(0);
        int above = maxPieces(parent);
        if (t.input() instanceof TaskInput.Crops c) {
            return above * c.max();
        }
        double mean = task(parent).orElseThrow().variants().stream().mapToDouble(v -> v.fanoutTo(taskName)).max().orElse(1);
        return above * (int) Math.max(1, Math.ceil(mean));
    }

    /** Whether a task below this one (not the root) reads the request's frame, so pieces must carry it down. */
    public boolean frameNeededBelow(String taskName) {
        for (Task kid : children(taskName)) {
            if (kid.input() instanceof TaskInput.Frame || frameNeededBelow(kid.name())) {
                return true;
            }
        }
        return false;
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

    /** The detectors: tasks whose boxes a child crops ({@code input: {crops: …}}), in the graph's order. */
    public List<Task> detectors() {
        return tasks.stream().filter(d -> children(d.name()).stream().anyMatch(
                k -> k.input() instanceof TaskInput.Crops c && c.from().equals(d.name()))).toList();
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
