package io.jigsaw.planner.online;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.Task;
import io.jigsaw.core.graph.Variant;

/** How far a graph's variants moved between two versions of it, by a measure of one variant's change. */
final class VariantChanges {

    /** One variant's change from {@code was} to {@code now}. */
    @FunctionalInterface
    interface Measure {
        double of(Task task, Variant was, Variant now);
    }

    private VariantChanges() {
    }

    /** The largest change over every variant of {@code after} (0 when equal). */
    static double largest(Graph before, Graph after, Measure measure) {
        double worst = 0;
        for (Task t : after.tasks()) {
            Task old = before.task(t.name()).orElseThrow();
            for (Variant v : t.variants()) {
                worst = Math.max(worst, measure.of(t, old.variant(v.name()).orElseThrow(), v));
            }
        }
        return worst;
    }
}
