package io.jigsaw.operators;

import io.jigsaw.core.serving.Draws;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;

import java.io.Serializable;

/**
 * Keys that Flink routes to each subtask of an operator: {@code keyFor(i)} lands on subtask i.
 * A task operator keyed by these keys has exactly one batch queue per replica, and the sender
 * chooses the replica: that is how a plan's replica count changes live, without a rescale
 * (a plan with 2 replicas sends to lanes 0 and 1 of an operator with 4 subtasks).
 */
public final class LaneKeys implements Serializable {

    private final int[] keys;

    private LaneKeys(int[] keys) {
        this.keys = keys;
    }

    public static LaneKeys of(int parallelism, int maxParallelism) {
        int[] keys = new int[parallelism];
        boolean[] found = new boolean[parallelism];
        int left = parallelism;
        for (int candidate = 0; left > 0; candidate++) {
            int subtask = KeyGroupRangeAssignment.assignKeyToParallelOperator(candidate, maxParallelism, parallelism);
            if (!found[subtask]) {
                found[subtask] = true;
                keys[subtask] = candidate;
                left--;
            }
        }
        return new LaneKeys(keys);
    }

    public int keyFor(int lane) {
        return keys[Math.floorMod(lane, keys.length)];
    }

    public int lanes() {
        return keys.length;
    }

    /**
     * Picks lane i with probability {@code weights[i]} (the plan's traffic fractions; a split task's
     * variants take what the plan gave them), stably per piece: a replayed piece goes where it went.
     * Lanes beyond this operator's parallelism fold onto the ones it has.
     */
    public int keyForPiece(Piece piece, double[] weights) {
        int h = (piece.requestId + piece.lineage).hashCode() * 0x9E3779B1;
        double u = (h >>> 1) / (double) (1L << 31);
        return keyFor(Draws.replica(weights, u));
    }
}
