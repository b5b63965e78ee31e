package io.jigsaw.core.graph;

import java.io.Serializable;
import java.util.List;
import java.util.Optional;

/** A node of the graph: runs one of its variants on every piece that reaches it. */
public record Task(String name, List<String> after, List<Variant> variants) implements Serializable {

    public Task {
        after = List.copyOf(after);
        variants = List.copyOf(variants);
    }

    public Optional<Variant> variant(String variantName) {
        return variants.stream().filter(v -> v.name().equals(variantName)).findFirst();
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
}
