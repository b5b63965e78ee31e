package io.jigsaw.core.graph;

import java.io.Serializable;
import java.util.List;
import java.util.Optional;

/**
 * A node of the graph: runs one of its variants on every piece that reaches it.
 *
 * @param input what its model is fed (the frame, a parent's tensor, crops, a join of its branches)
 * @param outputLabels names for a classifier output's entries, or null
 * @param bestAccuracy the raw accuracy (its metric's own scale) of the best variant, which the variants'
 *     normalised accuracies are fractions of: 1 where accuracies were given normalised
 */
public record Task(String name, List<String> after, List<Variant> variants, TaskInput input, Labels outputLabels, double bestAccuracy)
        implements Serializable {

    public Task {
        after = List.copyOf(after);
        variants = List.copyOf(variants);
        input = input == null ? TaskInput.frame() : input;
    }

    /** A task fed the request's frame, without labels: Loki's apps and the planner's generated graphs. */
    public Task(String name, List<String> after, List<Variant> variants) {
        this(name, after, variants, TaskInput.frame(), null, 1);
    }

    public Optional<Variant> variant(String variantName) {
        return variants.stream().filter(v -> v.name().equals(variantName)).findFirst();
    }

    public Optional<Labels> labels() {
        return Optional.ofNullable(outputLabels);
    }

    /** The task's most accurate variant (ties: the first listed). */
    public Variant mostAccurate() {
        Variant best = variants.get(0);
        for (Variant v : variants) {
            if (v.accuracy() > best.accuracy()) {
                best = v;
            }
        }
        return best;
    }

    public boolean pseudo() {
        return variants.stream().allMatch(Variant::pseudo);
    }

    /** Whether its pieces come from a detector's boxes (one per object), not one per parent piece. */
    public boolean takesCrops() {
        return input instanceof TaskInput.Crops;
    }
}
