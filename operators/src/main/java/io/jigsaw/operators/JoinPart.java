package io.jigsaw.operators;

/** One branch's tensor for one object, on its way into a join's input vector (a Flink POJO). */
public class JoinPart {

    public String from;
    public String objectId = "";
    public float[] values;

    public JoinPart() {
    }

    JoinPart(String from, String objectId, float[] values) {
        this.from = from;
        this.objectId = objectId;
        this.values = values;
    }
}
