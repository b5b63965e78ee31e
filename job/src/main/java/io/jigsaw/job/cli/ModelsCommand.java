package io.jigsaw.job.cli;

import io.jigsaw.core.graph.GraphLoader;
import io.jigsaw.job.models.ModelCache;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "models", mixinStandardHelpOptions = true,
        header = "Builds and trains a graph's variant SavedModels from their recipes.",
        description = "Builds the SavedModels of a graph's variants from their recipes, with TF Java in its own JVM, into the "
                + "graph's models_dir; a recipe with train: steps is trained on the synthetic XR scenes and measured on their test "
                + "split (accuracy.csv in models_dir); then every combination of the variants is run end to end on 2000 validation "
                + "scenes through the pipeline the job runs and scored as the job scores (combinations.csv: the accuracy the planner "
                + "uses; the demo's 81 in about 15 s), with how far the path product of the variants' own accuracies is from it. "
                + "A model already built from the same recipe, here or in the shared cache .jigsaw/model-cache, is not built again. "
                + "The demo's 12 variants train in about 2 minutes on 2 cores (progress bar on stderr).")
final class ModelsCommand implements Callable<Integer> {

    @Mixin
    GraphFileOption graph;

    @Override
    public Integer call() throws Exception {
        Path file = graph.orDemo();
        GraphLoader.load(file); // a bad graph is reported here, in the user's terms
        ModelCache.build(file);
        return 0;
    }
}
