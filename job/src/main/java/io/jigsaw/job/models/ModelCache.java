package io.jigsaw.job.models;

import io.jigsaw.core.graph.BuiltModel;
import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.RecipeStamps;
import io.jigsaw.core.graph.Task;
import io.jigsaw.core.graph.Variant;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Makes sure a graph's SavedModels exist, building missing ones with the {@code models} command in
 * its own JVM (TF Java and DJL cannot share one: STACK.md). The launcher passes that JVM's
 * classpath as {@code jigsaw.models.classpath}.
 */
public final class ModelCache {

    public static final String CLASSPATH_PROPERTY = "jigsaw.models.classpath";

    private ModelCache() {
    }

    /** Variants whose SavedModel is missing, changed since it was built, or built from another recipe: `models` rebuilds them. */
    public static List<String> missing(Graph graph) throws IOException {
        Map<String, String> stamps = RecipeStamps.of(graph, RecipeStamps.recipeFlow(graph));
        List<String> out = new ArrayList<>();
        for (Task t : graph.tasks()) {
            for (Variant v : t.variants()) {
                Path model = graph.modelPath(v).orElse(null);
                if (model == null) {
                    continue;
                }
                boolean usable = stamps.containsKey(v.name()) ? BuiltModel.problem(model, stamps.get(v.name())).isEmpty()
                        : Files.isRegularFile(model.resolve("saved_model.pb"));
                if (!usable) {
                    out.add(v.name());
                }
            }
        }
        return out;
    }

    /** Where built and trained models are kept by recipe, shared with the build (`models --cache`). */
    static Path store() {
        return Path.of(System.getProperty("jigsaw.home", ".")).toAbsolutePath().resolve(".jigsaw/model-cache");
    }

    /** Runs `models` for the graph file (with the shared model cache); its progress goes to our stderr. */
    public static void build(Path graphFile) throws IOException, InterruptedException {
        String cp = System.getProperty(CLASSPATH_PROPERTY);
        if (cp == null || cp.isBlank()) {
            throw new IllegalStateException("models are missing and this JVM cannot build them (no -D" + CLASSPATH_PROPERTY
                    + "); run `bin/jigsaw models --graph " + graphFile + "` first");
        }
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", cp,
                "io.jigsaw.models.ModelsMain", "--graph", graphFile.toString(), "--cache", store().toString());
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("building the models failed (exit " + (p.isAlive() ? "timeout" : p.exitValue()) + ")");
        }
    }
}
