package io.jigsaw.operators;

import io.jigsaw.core.graph.Credit;
import io.jigsaw.core.graph.Task;
import io.jigsaw.core.graph.Variant;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sends a finished piece on to a task's children with the variant's multiplicity: a detector that
 * finds 2.5 objects a frame on average sends 2 or 3 pieces to the classifier (floor of the mean,
 * plus one with probability of its fraction, drawn from a hash of the piece, so a replay yields the
 * same counts). The piece's credit is split evenly over the children and then over the copies; a
 * child that gets no copy gets one {@code skip} piece holding its credit, so a join below never
 * waits for a branch that found nothing.
 */
public final class FanOut {

    private FanOut() {
    }

    /**
     * @param children the task's children ({@link io.jigsaw.core.graph.Graph#children}), looked up once by the caller
     * @param ran the variant that processed the piece, or null when the piece was a skip
     */
    public static Map<String, List<Piece>> split(List<Task> children, Variant ran, Piece piece) {
        Map<String, List<Piece>> out = new LinkedHashMap<>();
        if (children.isEmpty()) {
            return out;
        }
        Credit perChild = piece.credit().dividedBy(children.size());
        for (Task child : children) {
            int copies = ran == null || piece.skip ? 0 : count(ran.fanoutTo(child.name()), piece, child.name());
            List<Piece> pieces = new ArrayList<>();
            if (copies == 0) {
                Piece skip = piece.copy();
                skip.skip = true;
                skip.lineage = piece.lineage + "/" + child.name() + "-";
                skip.credit(perChild);
                pieces.add(skip);
            } else {
                Credit each = perChild.dividedBy(copies);
                for (int i = 0; i < copies; i++) {
                    Piece p = piece.copy();
                    p.lineage = piece.lineage + "/" + child.name() + i;
                    p.credit(each);
                    pieces.add(p);
                }
            }
            out.put(child.name(), pieces);
        }
        return out;
    }

    static int count(double mean, Piece piece, String child) {
        int whole = (int) Math.floor(mean);
        double fraction = mean - whole;
        if (fraction <= 0) {
            return whole;
        }
        long h = mix((piece.requestId + "|" + piece.lineage + "|" + child).hashCode());
        double u = (h >>> 11) * 0x1.0p-53;
        return whole + (u < fraction ? 1 : 0);
    }

    /** SplitMix64's finaliser: spreads String.hashCode over 64 bits so u is uniform. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
