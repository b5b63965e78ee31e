package io.jigsaw.operators;

import io.jigsaw.core.graph.Credit;
import org.apache.flink.api.common.typeinfo.TypeInfo;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A piece of one request travelling between task operators: the frame at the root, one crop per
 * detected object below a detector, a parent's output tensor, or a join's assembled input: whatever
 * the task it is sent to takes ({@code payload}). Flink serialises it with {@link PieceSerializer}
 * (field by field, no reflection, no Kryo) on every hop and in keyed state.
 *
 * <p>{@code credit} is the exact share of its request this piece stands for ({@link Credit}); joins
 * and the result assembler complete when shares add up.
 */
@TypeInfo(PieceTypeInfo.Factory.class)
public class Piece {

    public String requestId;
    public String graph;
    public long eventTimeMs;
    public long deadlineMs;
    /** The input of the task it goes to (float32, row-major, little-endian), shaped {@code shape}. */
    public byte[] payload;
    public int[] shape;
    public String dtype;
    /** The request's frame, carried only while a task further down reads it; null otherwise. */
    public byte[] frame;

    /** Which object it stands for ({@link ObjectIds}); empty for the whole frame. */
    public String objectId = "";
    /** Its object's box in the frame, [x1, y1, x2, y2] normalised; null for the whole frame. */
    public float[] box;
    public float boxScore;
    /** What output tasks reported on the way, for the result; null for none. */
    public TaskReport[] reports;
    /** Branch tensors on their way into a join's input; null outside joins. */
    public JoinPart[] joinParts;
    /** The request's truth, when its producer sent one, on its way to the assembler (on one piece only); null otherwise. */
    public GroundTruth[] truth;
    /** Why the request's truth was not used, or empty. */
    public String truthRejected = "";

    /** Key of the replica (operator subtask) that should batch it; see {@link LaneKeys}. */
    public int laneKey;
    /** Where in the request's fan-out tree it is, e.g. "r/classify2"; makes fan-out draws distinct. */
    public String lineage = "r";

    public long creditNumerator = 1;
    public long creditDenominator = 1;
    /** Product of the variant accuracies along its path so far. */
    public double accuracy = 1.0;
    /** task=variant pairs it went through, comma-separated (a flat string keeps the POJO cheap). */
    public String variants = "";
    public int taskRuns;
    public long planVersion;

    /** Stands for a branch that received no objects: passes credit on, runs no model. */
    public boolean skip;
    public boolean dropped;
    public String dropReason = "";

    /*
     * Where its latency went, along its path (wall-clock micros, {@link Micros}; summed up in the Result): time between
     * operators (Flink's network hops), waiting in a task's batch queue, and model execution.
     */
    public long sentMicros;
    public long arrivedMicros;
    public long transferMicros;
    public long queueMicros;
    public long modelMicros;
    public int hops;

    public Piece() {
    }

    public Piece copy() {
        Piece p = new Piece();
        p.requestId = requestId;
        p.graph = graph;
        p.eventTimeMs = eventTimeMs;
        p.deadlineMs = deadlineMs;
        p.payload = payload;
        p.shape = shape;
        p.dtype = dtype;
        p.frame = frame;
        p.objectId = objectId;
        p.box = box;
        p.boxScore = boxScore;
        p.reports = reports;
        p.joinParts = joinParts;
        p.truth = truth;
        p.truthRejected = truthRejected;
        p.laneKey = laneKey;
        p.lineage = lineage;
        p.creditNumerator = creditNumerator;
        p.creditDenominator = creditDenominator;
        p.accuracy = accuracy;
        p.variants = variants;
        p.taskRuns = taskRuns;
        p.planVersion = planVersion;
        p.skip = skip;
        p.dropped = dropped;
        p.dropReason = dropReason;
        p.sentMicros = sentMicros;
        p.arrivedMicros = arrivedMicros;
        p.transferMicros = transferMicros;
        p.queueMicros = queueMicros;
        p.modelMicros = modelMicros;
        p.hops = hops;
        return p;
    }

    public Credit credit() {
        return new Credit(creditNumerator, creditDenominator);
    }

    public void credit(Credit c) {
        creditNumerator = c.numerator();
        creditDenominator = c.denominator();
    }

    public Map<String, String> variantMap() {
        Map<String, String> out = new LinkedHashMap<>();
        if (!variants.isEmpty()) {
            for (String pair : variants.split(",")) {
                int eq = pair.indexOf('=');
                out.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
        }
        return out;
    }

    private static String encode(Map<String, String> variantMap) {
        return String.join(",", variantMap.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
    }

    public void recordVariant(String task, String variant) {
        Map<String, String> m = variantMap();
        m.put(task, variant);
        variants = encode(m);
    }

    /** It leaves an operator for the next one. */
    public void departs(long nowMicros) {
        sentMicros = nowMicros;
    }

    /** It reaches an operator: the hop since it departed counts as transfer. */
    public void arrives(long nowMicros) {
        transferMicros += Math.max(0, nowMicros - sentMicros);
        hops++;
        arrivedMicros = nowMicros;
    }

    /** Its batch ran from {@code startMicros} to {@code endMicros}; it waited since it arrived. */
    public void ran(long startMicros, long endMicros) {
        queueMicros += Math.max(0, startMicros - arrivedMicros);
        modelMicros += endMicros - startMicros;
    }

    private long pathMicros() {
        return transferMicros + queueMicros + modelMicros;
    }

    /**
     * Folds another piece of the same request into this one: credits add, accuracy is the
     * credit-weighted mean (DESIGN.md: paths weighted by the traffic that takes them), runs add.
     */
    public void absorb(Piece other) {
        Credit mine = credit();
        Credit sum = mine.plus(other.credit());
        accuracy = (accuracy * mine.value() + other.accuracy * other.credit().value()) / sum.value();
        credit(sum);
        Map<String, String> m = variantMap();
        other.variantMap().forEach(m::putIfAbsent);
        variants = encode(m);
        taskRuns += other.taskRuns;
        planVersion = Math.max(planVersion, other.planVersion);
        skip = skip && other.skip;
        if (payload == null) {
            payload = other.payload;
            shape = other.shape;
        }
        reports = concat(reports, other.reports, TaskReport[]::new);
        if (truth == null) {
            truth = other.truth;
        }
        if (truthRejected.isEmpty()) {
            truthRejected = other.truthRejected;
        }
        joinParts = concat(joinParts, other.joinParts, JoinPart[]::new);
        if (other.pathMicros() > pathMicros()) {
            // The breakdown follows the slowest branch: it is the one the request waited for.
            transferMicros = other.transferMicros;
            queueMicros = other.queueMicros;
            modelMicros = other.modelMicros;
            hops = other.hops;
        }
        if (other.dropped && !dropped) {
            dropped = true;
            dropReason = other.dropReason;
        }
    }

    /** Adds what an output task reported on this piece. */
    public void report(TaskReport r) {
        reports = concat(reports, new TaskReport[] {r}, TaskReport[]::new);
    }

    private static <T> T[] concat(T[] a, T[] b, java.util.function.IntFunction<T[]> make) {
        if (a == null || a.length == 0) {
            return b;
        }
        if (b == null || b.length == 0) {
            return a;
        }
        T[] out = make.apply(a.length + b.length);
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Piece p)) {
            return false;
        }
        return eventTimeMs == p.eventTimeMs && deadlineMs == p.deadlineMs && laneKey == p.laneKey
                && creditNumerator == p.creditNumerator && creditDenominator == p.creditDenominator
                && Double.compare(accuracy, p.accuracy) == 0 && taskRuns == p.taskRuns && planVersion == p.planVersion
                && skip == p.skip && dropped == p.dropped && Objects.equals(requestId, p.requestId)
                && Objects.equals(graph, p.graph) && Arrays.equals(payload, p.payload) && Arrays.equals(shape, p.shape)
                && Objects.equals(dtype, p.dtype) && Objects.equals(lineage, p.lineage) && Objects.equals(variants, p.variants)
                && Objects.equals(dropReason, p.dropReason) && Objects.equals(objectId, p.objectId)
                && Arrays.equals(box, p.box) && Arrays.equals(frame, p.frame);
    }

    @Override
    public int hashCode() {
        return Objects.hash(requestId, lineage, laneKey);
    }

    @Override
    public String toString() {
        return "Piece{" + requestId + " " + lineage + (objectId.isEmpty() ? "" : " object " + objectId) + " credit=" + creditNumerator + "/" + creditDenominator
                + (skip ? " skip" : "") + (dropped ? " dropped(" + dropReason + ")" : "") + " variants=" + variants + "}";
    }
}
