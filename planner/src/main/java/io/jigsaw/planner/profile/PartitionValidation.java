package io.jigsaw.planner.profile;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks a partition model against measured slices, leave-one-model-out: for each model, the compute
 * rule's slice efficiency is fitted on the other models' measured slices only, then every slice row of
 * the held-out model (one process, slices smaller than the GPU) is derived from its whole-GPU rows and
 * compared with what was measured. A ratio measured / derived above 1 is an optimistic row (a plan on
 * it misses its SLO); below 1 a pessimistic one (it wastes GPUs).
 */
public final class PartitionValidation {

    /** Where the efficiency is read among the training rows' measured / (C/p) ratios: conservative, not the median. */
    public static final double EFFICIENCY_QUANTILE = 0.9;

    private PartitionValidation() {
    }

    /** One measured slice row beside what the rule derives for it. */
    public record Cell(String model, int slice, int batch, double measuredMs, double derivedMs, double efficiency) {

        public double ratio() {
            return measuredMs / derivedMs;
        }

        /** Optimistic by more than {@code tolerance} (0.10: measured more than 10 % slower than derived). */
        public boolean optimistic(double tolerance) {
            return ratio() > 1 + tolerance;
        }
    }

    /**
     * @param byModel each model's measured rows (whole GPU and slices), e.g. from {@link ParvaGpuCsv#read}
     */
    public static List<Cell> leaveOneModelOut(Map<String, List<ProfileRow>> byModel, PartitionModel.Rule rule) {
        List<Cell> out = new ArrayList<>();
        for (String model : byModel.keySet()) {
            List<String> others = byModel.keySet().stream().filter(m -> !m.equals(model)).toList();
            double k = rule == PartitionModel.Rule.COMPUTE ? fitEfficiency(others.stream().map(byModel::get).toList()) : Double.NaN;
            out.addAll(compare(model, byModel.get(model), rule, k));
        }
        return out;
    }

    /**
     * The compute rule's slice efficiency from measured rows: over every slice row whose compute term shows
     * (C(b)/p above the whole GPU's time by 5 %), the {@link #EFFICIENCY_QUANTILE} quantile of measured / (C/p).
     */
    public static double fitEfficiency(Collection<List<ProfileRow>> models) {
        List<Double> ratios = new ArrayList<>();
        for (List<ProfileRow> rows : models) {
            for (Cell c : compare("", rows, PartitionModel.Rule.COMPUTE, 1.0)) {
                if (c.derivedMs() > 1.05 * wholeMs(rows, c.batch())) {
                    ratios.add(c.ratio());
                }
            }
        }
        if (ratios.isEmpty()) {
            throw new IllegalArgumentException("no measured slice row shows its compute: nothing to fit the slice efficiency on");
        }
        ratios.sort(Double::compare);
        return ratios.get(Math.min(ratios.size() - 1, (int) (EFFICIENCY_QUANTILE * ratios.size())));
    }

    /** Each measured one-process slice row of a model beside the row derived from its whole-GPU rows. */
    static List<Cell> compare(String model, List<ProfileRow> rows, PartitionModel.Rule rule, double efficiency) {
        List<ProfileRow> whole = rows.stream().filter(r -> r.share() == 100.0 && r.processes() == 1).toList();
        Map<String, ProfileRow> derived = new HashMap<>();
        for (ProfileRow r : PartitionModel.complete(whole, ShareGrid.migSlices(), rule, efficiency)) {
            if (r.derived()) {
                derived.put(r.share() + "|" + r.batch(), r);
            }
        }
        List<Cell> out = new ArrayList<>();
        for (ProfileRow m : rows) {
            if (m.processes() != 1 || m.share() == 100.0 || m.derived()) {
                continue;
            }
            ProfileRow d = derived.get(m.share() + "|" + m.batch());
            if (d != null) {
                out.add(new Cell(model, MigGeometry.sizeOf(m.share()), m.batch(), m.p50Ms(), d.p50Ms(), efficiency));
            }
        }
        return out;
    }

    private static double wholeMs(List<ProfileRow> rows, int batch) {
        return rows.stream().filter(r -> r.share() == 100.0 && r.processes() == 1 && r.batch() == batch).findFirst().orElseThrow().p50Ms();
    }
}
