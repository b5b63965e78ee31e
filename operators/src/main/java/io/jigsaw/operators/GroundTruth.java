package io.jigsaw.operators;

/** One object a request's producer says is in its frame (a Flink POJO), carried to the result assembler to score the answer. */
public class GroundTruth {

    public String label;
    /** [x1, y1, x2, y2] in the frame, normalised. */
    public float[] box;
    public float distance;

    public GroundTruth() {
    }

    GroundTruth(String label, float[] box, float distance) {
        this.label = label;
        this.box = box;
        this.distance = distance;
    }
}
