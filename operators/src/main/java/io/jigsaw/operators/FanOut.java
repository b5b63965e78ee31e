package io.jigsaw.operators;

import io.jigsaw.core.graph.Credit;
import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.Task;
import io.jigsaw.core.graph.TaskInput;
import io.jigsaw.core.graph.Variant;
import io.jigsaw.core.image.Crop;
import io.jigsaw.core.image.CropBoxes;
import io.jigsaw.core.serving.Draws;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sends a finished piece on to its task's children, each as its graph input says:
 * <ul>
 * <li>crops: one piece per box the variant found (score at least {@code min_score}, the best
 * {@code max}), the task's input cut there and resized; boxes with NaN are skipped, boxes past the
 * image are clipped, boxes that clip to nothing are skipped — each counted by reason;</li>
 * <li>a parent tensor: one piece carrying that output;</li>
 * <li>a join: one piece carrying this branch's tensor for the join to assemble;</li>
 * <li>the frame: the frame, as many times as the variant's declared fan-out says (floor of the
 * mean, plus one with probability of its fraction, drawn from a hash of the piece so a replay
 * yields the same counts): Loki's apps and graphs without crops keep their declared multiplicity.</li>
 * </ul>
 * The piece's credit is split evenly over the children and then over the pieces; a child that gets
 * none gets one {@code skip} piece holding its credit, so a join below never waits for a branch that
 * found nothing. What output tasks reported, the count of model runs so far and the request's truth
 * travel on with the first piece only, so they reach the result once.
 */
public final class FanOut {

    /** Counts what fan-out saw, for metrics and telemetry. */
    public interface Observer {
        void sent(String variant, String child, int pieces);

        void box(String reason);
    }

    private record Edge(String child, TaskInput input, boolean frameBelow) {
    }

    private final String task;
    private final boolean inputIsFrame;
    private final List<Edge> edges;

    private FanOut(String task, boolean inputIsFrame, List<Edge> edges) {
        this.task = task;
        this.inputIsFrame = inputIsFrame;
        this.edges = edges;
    }

    public static FanOut of(Graph graph, String taskName) {
        Task t = graph.task(taskName).orElseThrow();
        List<Edge> edges = new ArrayList<>();
        for (Task kid : graph.children(taskName)) {
            edges.add(new Edge(kid.name(), kid.input(), graph.frameNeededBelow(kid.name())));
        }
        return new FanOut(taskName, t.input() instanceof TaskInput.Frame, edges);
    }

    public boolean leaf() {
        return edges.isEmpty();
    }

    /**
     * @param ran the variant that processed the piece, or null when the piece was a skip
     * @param outputs that variant's outputs for this piece (empty for a task without a model)
     */
    public Map<String, List<Piece>> split(Piece piece, Variant ran, Map<String, float[]> outputs, Observer observer) {
        Map<String, List<Piece>> out = new LinkedHashMap<>();
        if (edges.isEmpty()) {
            return out;
        }
        Credit perChild = piece.credit().dividedBy(edges.size());
        byte[] frame = inputIsFrame ? piece.payload : piece.frame;
        boolean reportsSent = false;
        Crops crops = new Crops(piece);
        for (Edge edge : edges) {
            List<Piece> pieces = ran == null || piece.skip ? List.of() : pieces(edge, piece, ran, outputs, frame, observer, crops);
            if (ran != null && !piece.skip) {
                observer.sent(ran.name(), edge.child(), pieces.size());
            }
            if (pieces.isEmpty()) {
                Piece skip = piece.copy();
                skip.skip = true;
                skip.lineage = piece.lineage + "/" + edge.child() + "-";
                skip.payload = null;
                skip.joinParts = null;
                pieces = List.of(skip);
            }
            Credit each = perChild.dividedBy(pieces.size());
            for (Piece p : pieces) {
                p.credit(each);
                p.frame = edge.frameBelow() && !(edge.input() instanceof TaskInput.Frame) ? frame : null;
                // Counted once at the result: the first piece carries what ran so far, the others start afresh.
                p.reports = reportsSent ? null : piece.reports;
                p.taskRuns = reportsSent ? 0 : piece.taskRuns;
                p.truth = reportsSent ? null : piece.truth;
                reportsSent = true;
            }
            out.put(edge.child(), pieces);
        }
        return out;
    }

    private List<Piece> pieces(Edge edge, Piece piece, Variant ran, Map<String, float[]> outputs, byte[] frame, Observer observer,
            Crops crops) {
        TaskInput in = edge.input();
        if (in instanceof TaskInput.Crops c) {
            return crops(edge.child(), c, piece, outputs, observer, crops);
        }
        if (in instanceof TaskInput.ParentTensor t) {
            float[] v = output(outputs, t.tensor(), edge.child());
            Piece p = child(piece, edge.child() + "0");
            p.payload = Tensors.bytes(v);
            p.shape = new int[] {v.length};
            return List.of(p);
        }
        if (in instanceof TaskInput.Join j) {
            String tensor = j.branches().stream().filter(b -> b.from().equals(task)).findFirst().orElseThrow().tensor();
            Piece p = child(piece, edge.child() + "0");
            p.payload = null;
            p.joinParts = new JoinPart[] {new JoinPart(task, piece.objectId, output(outputs, tensor, edge.child()))};
            return List.of(p);
        }
        int copies = count(ran.fanoutTo(edge.child()), piece, edge.child());
        List<Piece> out = new ArrayList<>();
        for (int i = 0; i < copies; i++) {
            Piece p = child(piece, edge.child() + i);
            p.payload = frame;
            out.add(p);
        }
        return out;
    }

    /** One piece per accepted box, best score first; its object id is this task's index in that order. */
    private List<Piece> crops(String child, TaskInput.Crops c, Piece piece, Map<String, float[]> outputs, Observer observer,
            Crops crops) {
        float[] boxes = output(outputs, c.boxes(), child);
        float[] scores = output(outputs, c.scores(), child);
        int height = piece.shape[0];
        int width = piece.shape[1];
        int channels = piece.shape[2];
        List<Piece> out = new ArrayList<>();
        for (CropBoxes.Taken taken : CropBoxes.select(scores, boxes, c.minScore(), c.max(), height, width, observer::box)) {
            if (taken.clipped()) {
                observer.box("clipped");
            }
            float[] clipped = taken.box();
            Piece p = child(piece, child + out.size());
            p.payload = crops.of(clipped, c.height(), c.width());
            p.shape = new int[] {c.height(), c.width(), channels};
            p.objectId = ObjectIds.child(piece.objectId, task, out.size());
            p.box = inFrame(piece.box, clipped);
            p.boxScore = taken.score();
            out.add(p);
        }
        return out;
    }

    /**
     * The crops of one piece's frame, each made once: children that take the same box at the same size
     * (classify and depth in the demo) share its bytes, which nobody writes to once made.
     */
    private static final class Crops {
        private final Piece piece;
        private final Map<String, byte[]> made = new java.util.HashMap<>();
        private float[] image;

        Crops(Piece piece) {
            this.piece = piece;
        }

        byte[] of(float[] box, int height, int width) {
            return made.computeIfAbsent(java.util.Arrays.toString(box) + height + "x" + width, k -> {
                if (image == null) {
                    image = Tensors.floats(piece.payload);
                }
                return Tensors.bytes(Crop.resize(image, piece.shape[0], piece.shape[1], piece.shape[2], box, height, width));
            });
        }
    }

    /** A box relative to a crop, in the frame: the crop's own box scaled and shifted (the frame's box is [0, 0, 1, 1]). */
    private static float[] inFrame(float[] outer, float[] box) {
        if (outer == null) {
            return box;
        }
        float w = outer[2] - outer[0];
        float h = outer[3] - outer[1];
        return new float[] {outer[0] + box[0] * w, outer[1] + box[1] * h, outer[0] + box[2] * w, outer[1] + box[3] * h};
    }

    private float[] output(Map<String, float[]> outputs, String tensor, String child) {
        float[] v = outputs.get(tensor);
        if (v == null) {
            // The graph is checked against the models before the job starts; reaching this is a bug.
            throw new IllegalStateException("task " + task + " gave no output '" + tensor + "' for " + child + " (outputs: "
                    + outputs.keySet() + ")");
        }
        return v;
    }

    private static Piece child(Piece piece, String lineageSuffix) {
        Piece p = piece.copy();
        p.lineage = piece.lineage + "/" + lineageSuffix;
        p.joinParts = null;
        return p;
    }

    static int count(double mean, Piece piece, String child) {
        long h = mix((piece.requestId + "|" + piece.lineage + "|" + child).hashCode());
        return Draws.copies(mean, (h >>> 11) * 0x1.0p-53);
    }

    /** SplitMix64's finaliser: spreads String.hashCode over 64 bits so u is uniform. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
