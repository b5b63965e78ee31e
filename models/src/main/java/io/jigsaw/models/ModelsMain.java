package io.jigsaw.models;

import io.jigsaw.core.graph.AccuracyCsv;
import io.jigsaw.core.graph.Combinations;
import io.jigsaw.core.graph.BuiltModel;
import io.jigsaw.core.graph.ConfidenceCsv;
import io.jigsaw.core.graph.Dataflow;
import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.GraphLoader;
import io.jigsaw.core.graph.ModelRecipe;
import io.jigsaw.core.graph.RecipeStamps;
import io.jigsaw.core.graph.Task;
import io.jigsaw.core.graph.TaskInput;
import io.jigsaw.core.graph.TensorSpec;
import io.jigsaw.core.graph.Variant;
import io.jigsaw.core.input.InputException;
import io.jigsaw.core.io.Directories;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code jigsaw models}: builds every variant of a graph that has a {@code recipe} into
 * {@code <out>/<model>} (skipping ones already built from the same recipe), so the job can load them.
 */
@Command(name = "models", mixinStandardHelpOptions = true,
        description = {"Builds the SavedModels of a graph's variants from their recipes (TF Java, this JVM only); trains those "
                + "with train: steps on the synthetic XR scenes and writes their measured accuracy to accuracy.csv, then every "
                + "combination of variants measured end to end to combinations.csv.",
                "Point a graph's 'model:' at your own SavedModels (with an accuracy:) to serve them; the job serves both the same way."})
public final class ModelsMain implements Callable<Integer> {

    // A command of its own JVM (TF Java and DJL's TF engine cannot share one: STACK.md), so it declares its --graph
    // beside the job CLI's options of the same shape rather than sharing a mixin across the two modules.

    @Option(names = "--graph", required = true, description = "Graph YAML whose variants carry recipes.")
    Path graphFile;

    @Option(names = "--out", description = "Directory to build into (default: the graph's models_dir).")
    Path out;

    @Option(names = "--force", description = "Rebuild even when a model exists with the same recipe.")
    boolean force;

    @Option(names = "--cache", description = "A cache of built models by recipe and input (trained ones with their measured "
            + "accuracy): a model found there is copied instead of built again, a model built is stored there.")
    Path cache;

    @Option(names = "--combination-scenes", description = "Validation scenes every combination of variants is measured on, end to "
            + "end, for combinations.csv (default: ${DEFAULT-VALUE}).")
    int combinationScenes = CombinationScores.SCENES;

    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new ModelsMain());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof InputException) {
                cmd.getErr().println("error: " + e.getMessage());
                return 2;
            }
            throw e;
        });
        System.exit(cli.execute(args));
    }

    @Override
    public Integer call() throws IOException {
        Graph graph = GraphLoader.load(graphFile);
        Path dir = out != null ? out : graph.modelsDir().orElseThrow(() ->
                new InputException(graphFile, "models_dir", "no --out given and the graph has no models_dir"));
        // What each variant is fed follows from the graph and its parents' recipes: a crop size, a join's width.
        Dataflow flow = RecipeStamps.recipeFlow(graph);
        Map<String, String> stamps = RecipeStamps.of(graph, flow);
        int built = 0;
        int kept = 0;
        List<Pending> pending = new ArrayList<>();
        Path csv = dir.resolve(AccuracyCsv.FILE);
        List<AccuracyCsv.Row> recorded = Files.exists(csv) ? AccuracyCsv.read(csv) : List.of();
        for (Task task : graph.tasks()) {
            for (Variant v : task.variants()) {
                if (v.recipe().isEmpty()) {
                    continue;
                }
                ModelRecipe recipe = v.recipe().get();
                TensorSpec input = flow.input(task.name()).orElseThrow(() -> new InputException(graphFile, "input",
                        "building " + v.name() + " needs to know what task " + task.name() + " is fed; give the graph an input spec"));
                Path target = dir.resolve(v.model().orElse(v.name()));
                String stamp = stamps.get(v.name());
                // A trained model without its accuracy row is trained again.
                boolean measuredBefore = !recipe.trained()
                        || recorded.stream().anyMatch(r -> r.task().equals(task.name()) && r.variant().equals(v.name()));
                Optional<String> problem = BuiltModel.problem(target, stamp);
                if (!force && measuredBefore && problem.isEmpty()) {
                    kept++;
                    continue;
                }
                if (problem.isPresent() && Files.exists(target)) {
                    System.err.printf("models: rebuilding %s: %s%n", v.name(), problem.get());
                }
                pending.add(new Pending(task, v, recipe, input, target, stamp));
            }
        }
        // The bar counts work, not steps: a step of a small mlp on a vector costs about a twentieth of an image model's.
        long steps = pending.stream().mapToLong(p -> p.recipe().trainSteps() / work(p.recipe())).sum();
        List<AccuracyCsv.Row> measured = new ArrayList<>();
        Map<String, TrainedModels.JoinExamples> joins = new HashMap<>();
        int trainedNow = 0;
        long started = System.nanoTime();
        try (ProgressBar bar = steps == 0 ? null : new ProgressBarBuilder().setTaskName("train").setInitialMax(steps)
                .setStyle(ProgressBarStyle.ASCII).setConsumer(new ConsoleProgressBarConsumer(System.err)).build()) {
            for (Pending p : pending) {
                Directories.deleteTree(p.target());
                long start = System.nanoTime();
                String how;
                AccuracyCsv.Row trained = null;
                ModelStore.Entry cached = cache == null ? null : new ModelStore(cache).find(p.stamp()).orElse(null);
                if (cached != null) {
                    cached.copyTo(p.target());
                    cached.accuracy(p.task().name(), p.variant().name()).ifPresent(row -> {
                        AccuracyCsv.merge(csv, List.of(row));
                        measured.add(row);
                    });
                    how = "from the cache " + cached.dir();
                } else if (p.recipe().trained()) {
                    if (bar != null) {
                        bar.setExtraMessage(p.variant().name());
                    }
                    long before = bar == null ? 0 : bar.getCurrent();
                    // The variants of a join share one set of examples: the upstream models run once.
                    TrainedModels.JoinExamples join = p.task().input() instanceof TaskInput.Join
                            ? joins.computeIfAbsent(p.task().name(), t -> joinExamples(graph, flow, t, dir, bar)) : null;
                    TrainedModels.Measured m = TrainedModels.train(p.recipe(), p.input(), p.target(), detections(graph, p.task().name()),
                            join, step -> {
                                if (bar != null) {
                                    bar.stepTo(before + step / work(p.recipe()));
                                    bar.setExtraMessage(p.variant().name() + " step " + step + "/" + p.recipe().trainSteps());
                                }
                            });
                    trainedNow++;
                    trained = new AccuracyCsv.Row(p.task().name(), p.variant().name(), m.accuracy(), m.metric(),
                            Variant.MEASURED, m.samples(), m.trainSeconds());
                    // Recorded at once: a later failure must not leave a trained model without its accuracy.
                    AccuracyCsv.merge(csv, List.of(trained));
                    measured.add(trained);
                    how = String.format(java.util.Locale.ROOT, "trained %d steps, %s %.3f", p.recipe().trainSteps(), m.metric(), m.accuracy());
                } else {
                    RecipeModels.export(p.recipe(), p.input(), p.target());
                    how = "random weights";
                }
                BuiltModel.record(p.target(), p.stamp());
                if (cache != null && cached == null) {
                    new ModelStore(cache).store(p.stamp(), p.target(), Optional.ofNullable(trained));
                }
                built++;
                progress.add(String.format("built %-10s %-10s %s input=%s, %s, in %d ms -> %s", p.task().name(), p.variant().name(),
                        String.join(" ", RecipeModels.describe(p.recipe())), p.input().shape(), how,
                        (System.nanoTime() - start) / 1_000_000, p.target()));
            }
        }
        progress.forEach(System.err::println);
        if (!measured.isEmpty()) {
            System.err.printf("models: %d trained variant(s)%s in %.1f s; measured accuracies in %s%n", measured.size(),
                    trainedNow == measured.size() ? "" : " (" + trainedNow + " trained now, the rest from the cache)",
                    (System.nanoTime() - started) / 1e9, csv.toAbsolutePath());
        }
        // A cascade's threshold is chosen from the served models' confidences: measured again whenever a model changed.
        if (built > 0 || !Files.exists(dir.resolve(ConfidenceCsv.FILE))) {
            Confidences.write(graph, flow, dir).ifPresent(f -> System.err.printf(
                    "models: confidences of the classifiers on %d validation crops in %s%n", Confidences.SAMPLES, f.toAbsolutePath()));
        }
        // The accuracy the planner plans with: every combination of variants end to end, measured again whenever a model changed.
        if (built > 0 || !Files.exists(dir.resolve(Combinations.FILE))) {
            Optional<String> why = CombinationScores.unsupported(graph, dir);
            if (why.isPresent()) {
                System.err.printf("models: no %s (the planner keeps the path product of the variants' accuracies): %s%n", Combinations.FILE,
                        why.get());
            } else {
                long start = System.nanoTime();
                Combinations combinations = CombinationScores.write(graph, flow, dir, combinationScenes);
                System.err.printf("models: every combination of variants measured end to end on %d validation scenes in %.1f s: %s%n",
                        combinationScenes, (System.nanoTime() - start) / 1e9, dir.resolve(Combinations.FILE).toAbsolutePath());
                if (Files.exists(csv)) {
                    System.err.println("models: " + CombinationScores.pathProductError(graph, combinations, AccuracyCsv.read(csv)));
                }
            }
        }
        System.err.printf("models: %d built, %d up to date, in %s%n", built, kept, dir.toAbsolutePath());
        return 0;
    }

    /** Training steps per unit of the progress bar's work. */
    private static int work(ModelRecipe recipe) {
        return recipe.imageInput() ? 1 : 20;
    }

    private record Pending(Task task, Variant variant, ModelRecipe recipe, TensorSpec input, Path target, String stamp) {
    }

    /** A join's examples through the models above it (built by now: the graph lists parents first). */
    private static TrainedModels.JoinExamples joinExamples(Graph graph, Dataflow flow, String task, Path dir, ProgressBar bar) {
        long start = System.nanoTime();
        if (bar != null) {
            bar.setExtraMessage(task + ": upstream answers");
        }
        try (UpstreamJoins upstream = UpstreamJoins.open(graph, flow, task, dir)) {
            TrainedModels.JoinExamples examples = TrainedModels.joinExamples(upstream);
            System.err.printf("%nmodels: %s learns from %d scenes answered by %s (%.1f s)%n", task, examples.train().size(),
                    examples.upstream(), (System.nanoTime() - start) / 1e9);
            return examples;
        }
    }

    private final List<String> progress = new ArrayList<>();

    /** A detector is judged as its crop children take its boxes (the lowest threshold, the most boxes of them). */
    private static TrainedModels.Detections detections(Graph graph, String task) {
        List<TaskInput.Crops> crops = graph.children(task).stream().map(Task::input).filter(i -> i instanceof TaskInput.Crops)
                .map(i -> (TaskInput.Crops) i).toList();
        return new TrainedModels.Detections(crops.stream().mapToDouble(TaskInput.Crops::minScore).min().orElse(0.5),
                crops.stream().mapToInt(TaskInput.Crops::max).max().orElse(Integer.MAX_VALUE));
    }
}
