package io.jigsaw.job.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code --graph} for the commands that work on one graph's models or requests ({@code models}, {@code profile}, {@code send}). */
final class GraphFileOption {

    @Option(names = "--graph", paramLabel = "YAML", description = "Graph YAML: its variants' SavedModels or recipes, its input "
            + "frame (default: the demo's, examples/xr-scene/graph.yaml).")
    Path file;

    Path orDemo() {
        return file != null ? file : JigsawCli.demoGraph();
    }
}
