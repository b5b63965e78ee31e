package io.jigsaw.planner;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.Task;
import io.jigsaw.core.graph.Variant;
import io.jigsaw.planner.model.PlanningInstance;
import io.jigsaw.planner.model.Policy;
import io.jigsaw.planner.model.TaskOption;
import io.jigsaw.planner.profile.Profile;
import io.jigsaw.planner.profile.ProfileRow;
import io.jigsaw.planner.profile.ShareGrid;

import java.util.List;
import java.util.Map;

/**
 * A two-task graph small enough to check by hand: detect → classify, every detector variant sends
 * 2 pieces per frame to classify, SLO 50 ms, accuracy SLO 0.9. Batch-1 tail latencies (= p50, so
 * throughput is 1000 / latency): d-s 10 ms, d-l 20 ms, c-s 5 ms, c-l 10 ms on a whole GPU; d-s and c-s
 * also have measured 50 % rows at twice their whole-GPU time.
 */
public final class TinyGraph {

    public static final TaskOption D_SMALL = new TaskOption("d-s", 1, 100);
    public static final TaskOption D_SMALL_HALF = new TaskOption("d-s", 1, 50);
    public static final TaskOption D_LARGE = new TaskOption("d-l", 1, 100);
    public static final TaskOption C_SMALL = new TaskOption("c-s", 1, 100);
    public static final TaskOption C_SMALL_HALF = new TaskOption("c-s", 1, 50);
    public static final TaskOption C_LARGE = new TaskOption("c-l", 1, 100);

    private TinyGraph() {
    }

    public static Graph graph() {
        Task detect = new Task("detect", List.of(), List.of(
                new Variant("d-s", 0.8, null, Map.of("classify", 2.0), null, false),
                new Variant("d-l", 1.0, null, Map.of("classify", 2.0), null, false)));
        Task classify = new Task("classify", List.of("detect"), List.of(
                new Variant("c-s", 0.9, null, Map.of(), null, false),
                new Variant("c-l", 1.0, null, Map.of(), null, false)));
        return new Graph("tiny", 50, 0.9, null, List.of(detect, classify), null, List.of());
    }

    public static Profile profile() {
        return new Profile("gpu", List.of(
                row("d-s", 100, 10), row("d-s", 50, 20), row("d-l", 100, 20), row("c-s", 100, 5), row("c-s", 50, 10), row("c-l", 100, 10)), List.of());
    }

    /** 40 req/s on one GPU, replicas planned to full utilisation so the arithmetic stays round. */
    public static PlanningInstance instance(Policy policy) {
        return new PlanningInstance(graph(), profile(), 40, 1, ShareGrid.mps(50), policy, 1.0,
                PlanningInstance.AccuracyRule.TRAFFIC_WEIGHTED_MEAN);
    }

    private static ProfileRow row(String variant, double share, double ms) {
        return new ProfileRow(variant, "gpu", share, 1, ms, ms, ProfileRow.Source.MEASURED);
    }
}
