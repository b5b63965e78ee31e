package io.jigsaw.models;

import io.jigsaw.core.graph.Dataflow;
import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.GraphLoader;
import io.jigsaw.core.graph.ModelRecipe;
import io.jigsaw.core.graph.ModelSignature;
import io.jigsaw.core.graph.Task;
import io.jigsaw.core.graph.TensorSpec;
import io.jigsaw.core.graph.Variant;
import io.jigsaw.core.input.InputException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code jigsaw models}: builds every variant of a graph that has a {@code recipe} into
 * {@code <out>/<model>} (skipping ones already built from the same recipe), so the job can load them.
 */
@Command(name = "models", mixinStandardHelpOptions = true,
        description = {"Builds the SavedModels of a graph's variants from their recipes (TF Java, this JVM only).",
                "These are synthetic demo models: random weights, real compute. Point a graph's 'model:' at your own "
                        + "SavedModels to serve trained ones; the job serves both the same way."})
public final class ModelsMain implements Callable<Integer> {

    /** Written beside each SavedModel: the recipe it was built from, so a changed recipe is rebuilt. */
    static final String RECIPE_FILE = "jigsaw-recipe.txt";

    @Option(names = "--graph", required = true, description = "Graph YAML whose variants carry recipes.")
    Path graphFile;

    @Option(names = "--out", description = "Directory to build into (default: the graph's models_dir).")
    Path out;

    @Option(names = "--force", description = "Rebuild even when a model exists with the same recipe.")
    boolean force;

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
        for (Task task : graph.tasks()) {
            for (Variant v : task.variants()) {
                if (v.recipe().isEmpty()) {
                    continue;
                }
                ModelRecipe recipe = v.recipe().get();
                TensorSpec input = flow.input(task.name()).orElseThrow(() -> new InputException(graphFile, "input",
                        "building " + v.name() + " needs to know what task " + task.name() + " is fed; give the graph an input spec"));
                Path target = dir.resolve(v.model().orElse(v.name()));
                String signature = recipe.stamp(input);
                Path stamp = target.resolve(RECIPE_FILE);
                if (!force && Files.exists(stamp) && Files.readString(stamp).equals(signature)) {
                    kept++;
                    continue;
                }
                deleteTree(target);
                long start = System.nanoTime();
                RecipeModels.export(recipe, input, target);
                Files.writeString(stamp, signature);
                built++;
                System.err.printf("built %-10s %-10s %s input=%s in %d ms -> %s%n", task.name(), v.name(),
                        String.join(" ", RecipeModels.describe(recipe)), input.shape(), (System.nanoTime() - start) / 1_000_000, target);
            }
        }
        System.err.printf("models: %d built, %d up to date, in %s%n", built, kept, dir.toAbsolutePath());
        return 0;
    }

    private static void deleteTree(Path p) throws IOException {
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
