package io.jigsaw.operators;

/**
 * What an output task's model gave for one piece, carried with the request's pieces to the result
 * assembler (a Flink POJO). {@code objectId} is empty for a piece that stands for the whole frame.
 */
public class TaskReport {

    public String task;
    public String variant;
    public String objectId = "";
    /** [x1, y1, x2, y2] in the frame, normalised; null for the whole frame. */
    public float[] box;
    public float boxScore;
    public String[] names;
    public float[][] values;

    public TaskReport() {
    }

    static TaskReport of(String task, String variant, Piece p, java.util.Map<String, float[]> outputs) {
        TaskReport r = new TaskReport();
        r.task = task;
        r.variant = variant;
        r.objectId = p.objectId;
        r.box = p.box;
        r.boxScore = p.boxScore;
        r.names = outputs.keySet().toArray(String[]::new);
        r.values = outputs.values().toArray(float[][]::new);
        return r;
    }
}
