package io.jigsaw.core.scene;

import java.io.Serializable;

/**
 * One object of a synthetic scene, as its ground truth.
 *
 * @param label index into {@link SceneGenerator#LABELS}
 * @param box [x1, y1, x2, y2] in the frame, normalised to 0..1
 * @param distance metres from the camera (1..4): farther objects are smaller and darker
 */
public record SceneObject(int label, float[] box, float distance) implements Serializable {
}
