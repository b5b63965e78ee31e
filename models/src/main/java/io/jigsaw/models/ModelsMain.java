package io.jigsaw.models;

import io.jigsaw.core.graph.AccuracyCsv;
import io.jigsaw.core.graph.Dataflow;
import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.GraphLoader;
import io.jigsaw.core.graph.ModelRecipe;
import io.jigsaw.core.graph.ModelSignature;
import io.jigsaw.core.graph.Task;
import io.jigsaw.core.graph.TaskInput;
import io.jigsaw.core.graph.TensorSpec;
import io.jigsaw.core.graph.Variant;
import io.jigsaw.core.input.InputException;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code jigsaw models}: builds every variant of a graph that has a {@code recipe} into
 * {@code <out>/<model>} (skipping ones already built from the same recipe), so the job can load them.
 */
@Command(name = "models", mixinStandardHelpOptions = true,
        description = {"Builds the SavedModels of a graph's variants from their recipes (TF Java, this JVM only); trains those "
                + "with train: steps on the synthetic XR scenes and writes their measured accuracy to accuracy.csv.",
                "Point a graph's 'model:' at your own SavedModels (with an accuracy:) to serve them; the job serves both the same way."})
public final class ModelsMain implements Callable<Integer> {

    /** Written beside each SavedModel: the recipe it was built from, so a changed recipe is rebuilt. */
    static final String RECIPE_FILE = "jigsaw-recipe.txt";

    @Option(names = "--graph", required = true, description = "Graph YAML whose variants carry recipes.")
    Path graphFile;

    @Option(names = "--out", description = "Directory to build into (default: the graph's models_dir).")
    Path out;

    @Option(names = "--force", description = "Rebuild even when a model exists with the same recipe.")
    boolean force;

    @Option(names = "--cache", description = "A cache of built models by recipe and input (trained ones with their measured "
            + "accuracy): a model found there is copied instead of built again, a model built is stored there.")
    Path cache;

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
        Dataflow flow = Dataflow.resolve(graph, (task, v, in) -> v.recipe().map(r -> ModelSignature.ofRecipe(r, in)));
        int built = 0;
        int kept = 0;
        List<Pending> pending = new ArrayList<>();
        for (Task task : graph.tasks()) {
            for (Variant v : task.variants()) {
                if (v.recipe().isEmpty()) {
                    continue;
                }
                ModelRecipe recipe = v.recipe().get();
                TensorSpec input = flow.input(task.name()).orElseThrow(() -> new InputException(graphFile, "input",
                        "building " + v.name() + " needs to know what task " + task.name() + " is fed; give the graph an input spec"));
                Path target = dir.resolve(v.model().orElse(v.name()));
                Path stamp = target.resolve(RECIPE_FILE);
                boolean measuredBefore = !recipe.trained() || measured(dir, task.name(), v.name());
                if (!force && measuredBefore && Files.exists(stamp) && Files.readString(stamp).equals(recipe.stamp(input))) {
                    kept++;
                    continue;
                }
                pending.add(new Pending(task, v, recipe, input, target));
            }
        }
        long steps = pending.stream().mapToLong(p -> p.recipe().trainSteps()).sum();
        List<AccuracyCsv.Row> measured = new ArrayList<>();
        long started = System.nanoTime();
        try (ProgressBar bar = steps == 0 ? null : new ProgressBarBuilder().setTaskName("train").setInitialMax(steps)
                .setStyle(ProgressBarStyle.ASCII).setConsumer(new ConsoleProgressBarConsumer(System.err)).build()) {
            for (Pending p : pending) {
                deleteTree(p.target());
                long start = System.nanoTime();
                String how;
                ModelStore.Entry cached = cache == null ? null : new ModelStore(cache).find(p.recipe().stamp(p.input())).orElse(null);
                if (cached != null) {
                    cached.copyTo(p.target());
                    cached.accuracy(p.task().name(), p.variant().name()).ifPresent(row -> {
                        AccuracyCsv.merge(dir.resolve(AccuracyCsv.FILE), List.of(row));
                        measured.add(row);
                    });
                    how = "from the cache " + cached.dir();
                } else if (p.recipe().trained()) {
                    if (bar != null) {
                        bar.setExtraMessage(p.variant().name());
                    }
                    long before = bar == null ? 0 : bar.getCurrent();
                    TrainedModels.Measured m = TrainedModels.train(p.recipe(), p.input(), p.target(), flow.join(p.task().name()),
                            minScore(graph, p.task().name()), step -> {
                                if (bar != null) {
                                    bar.stepTo(before + step);
                                }
                            });
                    AccuracyCsv.Row row = new AccuracyCsv.Row(p.task().name(), p.variant().name(), m.accuracy(), m.metric(),
                            Variant.MEASURED, m.samples(), m.trainSeconds());
                    // Recorded at once: a later failure must not leave a trained model without its accuracy.
                    AccuracyCsv.merge(dir.resolve(AccuracyCsv.FILE), List.of(row));
                    measured.add(row);
                    how = String.format(java.util.Locale.ROOT, "trained %d steps, %s %.3f", p.recipe().trainSteps(), m.metric(), m.accuracy());
                } else {
                    RecipeModels.export(p.recipe(), p.input(), p.target());
                    how = "random weights";
                }
                Files.writeString(p.target().resolve(RECIPE_FILE), p.recipe().stamp(p.input()));
                if (cache != null && cached == null) {
                    new ModelStore(cache).store(p.recipe().stamp(p.input()), p.target(),
                            measured.stream().filter(r -> r.variant().equals(p.variant().name()) && r.task().equals(p.task().name())).findFirst());
                }
                built++;
                progress.add(String.format("built %-10s %-10s %s input=%s, %s, in %d ms -> %s", p.task().name(), p.variant().name(),
                        String.join(" ", RecipeModels.describe(p.recipe())), p.input().shape(), how,
                        (System.nanoTime() - start) / 1_000_000, p.target()));
            }
        }
        progress.forEach(System.err::println);
        if (!measured.isEmpty()) {
            Path csv = dir.resolve(AccuracyCsv.FILE);
            System.err.printf("models: trained %d variant(s) in %.1f s; measured accuracies in %s%n", measured.size(),
                    (System.nanoTime() - started) / 1e9, csv.toAbsolutePath());
        }
        System.err.printf("models: %d built, %d up to date, in %s%n", built, kept, dir.toAbsolutePath());
        return 0;
    }

    private record Pending(Task task, Variant variant, ModelRecipe recipe, TensorSpec input, Path target) {
    }

    private final List<String> progress = new ArrayList<>();

    /** Whether accuracy.csv in the models dir has the variant's row (a trained model without one is retrained). */
    private static boolean measured(Path dir, String task, String variant) {
        Path csv = dir.resolve(AccuracyCsv.FILE);
        return Files.exists(csv) && AccuracyCsv.read(csv).stream().anyMatch(r -> r.task().equals(task) && r.variant().equals(variant));
    }

    /** A detector is judged at the threshold its crop children take boxes from (the lowest of them). */
    private static double minScore(Graph graph, String task) {
        return graph.children(task).stream().map(Task::input).filter(i -> i instanceof TaskInput.Crops)
                .mapToDouble(i -> ((TaskInput.Crops) i).minScore()).min().orElse(0.5);
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var walk = Files.walk(p)) {
            for (Path q : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }
}
