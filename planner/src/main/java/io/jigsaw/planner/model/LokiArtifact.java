package io.jigsaw.planner.model;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What Loki's artifact (UMass-LIDS/Loki, {@code src/simulator/algorithms/pipeline_ilp.py}) does by name beyond its
 * ILP, for the {@code loki-literal} policy: it drops two variants from the ILP, plans only the car branch of the
 * traffic-analysis app and gives the face branch one server of {@code genderNet_16} at the smallest batch outside
 * it, and always keeps one server for the sink. Names that an app does not have change nothing.
 */
public final class LokiArtifact {

    /** Variants its ILP leaves out by name. */
    public static final Set<String> DROPPED_VARIANTS = Set.of("yolov5s", "efficientnet-b7");

    /** The app whose branch it plans outside the ILP, and how. */
    private static final String TRAFFIC_APP = "traffic_analysis";

    /** Tasks of the traffic app it serves outside its ILP, each with one whole GPU of one variant at batch 1. */
    private static final Map<String, String> OUTSIDE = Map.of("facial_recognition", "genderNet_16");

    /** The task it keeps a server for whatever the plan. */
    public static final String SINK = "sink";

    private LokiArtifact() {
    }

    /** For a task the artifact serves outside its ILP, the variant it runs there (one whole GPU, batch 1). */
    public static Optional<String> outsideVariant(String app, String task) {
        return TRAFFIC_APP.equals(app) ? Optional.ofNullable(OUTSIDE.get(task)) : Optional.empty();
    }
}
