package io.jigsaw.core.graph;

import io.jigsaw.core.input.InputException;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The one entry point for graph files: our YAML ({@code .yaml}/{@code .yml}) or a Loki app JSON
 * ({@code .json}, side files beside it). Both give the same {@link Graph}.
 */
public final class GraphLoader {

    private GraphLoader() {
    }

    public static Graph load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new InputException(file, "", "no such file; expected a graph (.yaml) or a Loki app (.json)");
        }
        String name = file.getFileName().toString().toLowerCase();
        if (name.endsWith(".yaml") || name.endsWith(".yml")) {
            return YamlGraphReader.read(file);
        }
        if (name.endsWith(".json")) {
            return LokiAppReader.read(file);
        }
        throw new InputException(file, "", "unknown graph format; expected a .yaml graph or a Loki app .json");
    }
}
