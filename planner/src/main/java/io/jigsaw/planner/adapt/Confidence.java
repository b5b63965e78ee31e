package io.jigsaw.planner.adapt;

import io.jigsaw.core.graph.ConfidenceCsv;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The validation-split confidences of a graph's labelled variants ({@link ConfidenceCsv}), and what
 * a cascade of two of them would do at a threshold: the share of pieces it escalates and the
 * accuracy of the pieces it keeps and of those it escalates. Measured offline, sample by sample: the
 * cascade's accuracy is counted on the same samples for both variants, not assumed independent.
 */
public final class Confidence implements Serializable {

    /**
     * What a cascade does on the validation samples at one threshold.
     *
     * @param rate fraction of pieces escalated
     * @param accuracy the cascade's accuracy (raw: the task's metric)
     * @param keptAccuracy accuracy of the small variant on the pieces it keeps (NaN if none)
     * @param escalatedAccuracy accuracy of the large variant on the pieces escalated (NaN if none)
     */
    public record Outcome(double threshold, double rate, double accuracy, double keptAccuracy, double escalatedAccuracy)
            implements Serializable {
    }

    /** task → variant → per sample {top score, correct}. */
    private final Map<String, Map<String, double[][]>> samples = new HashMap<>();

    public Confidence(List<ConfidenceCsv.Row> rows) {
        Map<String, Map<String, List<ConfidenceCsv.Row>>> grouped = new LinkedHashMap<>();
        rows.forEach(r -> grouped.computeIfAbsent(r.task(), t -> new LinkedHashMap<>()).computeIfAbsent(r.variant(), v -> new ArrayList<>()).add(r));
        grouped.forEach((task, variants) -> variants.forEach((variant, rs) -> {
            double[][] s = new double[rs.size()][];
            for (ConfidenceCsv.Row r : rs) {
                if (r.sample() < 0 || r.sample() >= rs.size() || s[r.sample()] != null) {
                    throw new IllegalArgumentException(ConfidenceCsv.FILE + ": " + task + "/" + variant
                            + " must list samples 0.." + (rs.size() - 1) + " once each; found sample " + r.sample());
                }
                s[r.sample()] = new double[] {r.topScore(), r.correct() ? 1 : 0};
            }
            samples.computeIfAbsent(task, t -> new HashMap<>()).put(variant, s);
        }));
    }

    public boolean has(String task, String variant) {
        return samples.containsKey(task) && samples.get(task).containsKey(variant);
    }

    /** The variant's accuracy on the validation samples. */
    public double accuracy(String task, String variant) {
        double[][] s = require(task, variant);
        double right = 0;
        for (double[] x : s) {
            right += x[1];
        }
        return right / s.length;
    }

    /** small first; a piece whose small top score is below the threshold is answered by large. */
    public Outcome cascade(String task, String small, String large, double threshold) {
        double[][] a = require(task, small);
        double[][] b = require(task, large);
        if (a.length != b.length) {
            throw new IllegalArgumentException(ConfidenceCsv.FILE + ": " + small + " and " + large + " were not run on the same samples");
        }
        int up = 0;
        double keptRight = 0;
        double upRight = 0;
        for (int i = 0; i < a.length; i++) {
            if (a[i][0] < threshold) {
                up++;
                upRight += b[i][1];
            } else {
                keptRight += a[i][1];
            }
        }
        int kept = a.length - up;
        return new Outcome(threshold, up / (double) a.length, (keptRight + upRight) / a.length,
                kept == 0 ? Double.NaN : keptRight / kept, up == 0 ? Double.NaN : upRight / up);
    }

    /** Every threshold that changes what the cascade does: the small variant's distinct top scores (and 0: never escalate). */
    public List<Double> thresholds(String task, String small) {
        TreeSet<Double> out = new TreeSet<>();
        out.add(0.0);
        for (double[] x : require(task, small)) {
            out.add(x[0]);
        }
        // Just above the largest: escalate everything.
        out.add(Math.nextUp(out.last()));
        return new ArrayList<>(out);
    }

    private double[][] require(String task, String variant) {
        double[][] s = samples.getOrDefault(task, Map.of()).get(variant);
        if (s == null) {
            throw new IllegalArgumentException(ConfidenceCsv.FILE + " has no samples of " + task + "/" + variant);
        }
        return s;
    }
}
