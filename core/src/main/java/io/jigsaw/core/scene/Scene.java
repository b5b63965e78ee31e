package io.jigsaw.core.scene;

import java.util.List;

/**
 * A synthetic XR frame and what is really in it.
 *
 * @param frame {@code size × size × 3} floats in 0..1, row-major (the demo graph's input)
 */
public record Scene(float[] frame, int size, List<SceneObject> objects) {

    public Scene {
        objects = List.copyOf(objects);
    }

    /** The nearest object's label, or {@link SceneGenerator#NONE} for an empty scene: what the demo's fuse task answers. */
    public int nearestLabel() {
        SceneObject best = null;
        for (SceneObject o : objects) {
            if (best == null || o.distance() < best.distance()) {
                best = o;
            }
        }
        return best == null ? SceneGenerator.NONE : best.label();
    }
}
