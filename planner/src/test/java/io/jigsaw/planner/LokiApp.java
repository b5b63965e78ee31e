package io.jigsaw.planner;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.GraphLoader;

import java.net.URISyntaxException;
import java.nio.file.Path;

/**
 * Loki's traffic-analysis app as shipped in shared/profiles, copied into test resources; its
 * runtimes.csv there keeps only the onnxruntime_gpu_ampere rows with batch ≤ 16, to stay small.
 */
public final class LokiApp {

    private LokiApp() {
    }

    public static Path file() {
        try {
            return Path.of(LokiApp.class.getResource("/loki/traffic_analysis.json").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Graph graph() {
        return GraphLoader.load(file());
    }
}
