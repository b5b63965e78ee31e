package io.jigsaw.bench;

import io.jigsaw.planner.profile.ParvaGpuCsv;
import io.jigsaw.planner.profile.PartitionModel;
import io.jigsaw.planner.profile.PartitionValidation;
import io.jigsaw.planner.profile.ProfileRow;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The partition models against ParvaGPU's measured A100 MIG slices, leave-one-model-out: per model, how far
 * the rows each rule derives from the whole GPU are from the measured ones, and every row optimistic by
 * more than 10 %. Writes every row to a CSV.
 *
 * <p>Run: {@code ./mvnw -q -B -pl bench exec:exec@partitions} (args: prof_data folder, output CSV).
 */
public final class PartitionBench {

    private PartitionBench() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "examples/a100-vision/prof_data");
        Path csv = Path.of(args.length > 1 ? args[1] : "bench/target/partition-validation.csv");
        Map<String, List<ProfileRow>> byModel = new LinkedHashMap<>();
        for (Path f : ParvaGpuCsv.filesIn(dir)) {
            byModel.put(ParvaGpuCsv.variantOf(f), ParvaGpuCsv.read(f));
        }
        System.out.printf(Locale.ROOT, "ParvaGPU A100 80GB MIG rows in %s: %d models; one process per slice, slices 1g-4g derived"
                + " from the 7g rows and compared with the measured ones (ratio = measured / derived; > 1 optimistic)%n", dir, byModel.size());
        System.out.printf(Locale.ROOT, "compute rule's slice efficiency fitted on all %d models: %.3f (planner's constant: %.2f)%n",
                byModel.size(), PartitionValidation.fitEfficiency(byModel.values()), PartitionModel.SLICE_EFFICIENCY);
        List<String> lines = new ArrayList<>();
        lines.add("rule,model,slice,batch,measured_ms,derived_ms,ratio,efficiency");
        for (PartitionModel.Rule rule : PartitionModel.Rule.values()) {
            List<PartitionValidation.Cell> cells = PartitionValidation.leaveOneModelOut(byModel, rule);
            System.out.printf(Locale.ROOT, "%n%s (%s)%n", rule, rule.describe());
            System.out.printf(Locale.ROOT, "%-12s %5s %6s %12s %8s %8s %8s %8s %14s%n", "model", "rows", "k", "median|err|", "median", "min",
                    "max", ">1.10", "worst (g, b)");
            for (String model : byModel.keySet()) {
                print(model, cells.stream().filter(c -> c.model().equals(model)).toList());
            }
            print("all", cells);
            cells.stream().filter(c -> c.optimistic(0.10)).forEach(c -> System.out.printf(Locale.ROOT,
                    "  optimistic > 10 %%: %s %dg batch %d: measured %.2f ms, derived %.2f ms (x%.2f)%n", c.model(), c.slice(), c.batch(),
                    c.measuredMs(), c.derivedMs(), c.ratio()));
            matrix(cells);
            cells.forEach(c -> lines.add(String.format(Locale.ROOT, "%s,%s,%d,%d,%.4f,%.4f,%.4f,%.4f", rule, c.model(), c.slice(), c.batch(),
                    c.measuredMs(), c.derivedMs(), c.ratio(), c.efficiency())));
        }
        if (csv.getParent() != null) {
            Files.createDirectories(csv.getParent());
        }
        Files.write(csv, lines);
        System.out.println("\nevery row: " + csv);
    }

    private static void print(String name, List<PartitionValidation.Cell> cells) {
        double[] r = cells.stream().mapToDouble(PartitionValidation.Cell::ratio).sorted().toArray();
        double[] err = cells.stream().mapToDouble(c -> Math.abs(c.ratio() - 1)).sorted().toArray();
        PartitionValidation.Cell worst = cells.stream().max(java.util.Comparator.comparingDouble(PartitionValidation.Cell::ratio)).orElseThrow();
        double k = cells.get(0).efficiency();
        System.out.printf(Locale.ROOT, "%-12s %5d %6s %12.3f %8.2f %8.2f %8.2f %8d %14s%n", name, r.length,
                name.equals("all") || Double.isNaN(k) ? "-" : String.format(Locale.ROOT, "%.3f", k), median(err), median(r), r[0],
                r[r.length - 1], cells.stream().filter(c -> c.optimistic(0.10)).count(), "(" + worst.slice() + "g, " + worst.batch() + ")");
    }

    /** Per slice x batch over the models: median ratio and the largest (the most optimistic model's). */
    private static void matrix(List<PartitionValidation.Cell> cells) {
        int[] batches = cells.stream().mapToInt(PartitionValidation.Cell::batch).distinct().sorted().toArray();
        System.out.printf(Locale.ROOT, "  median ratio (max) over models, per slice x batch:%n  %-5s", "slice");
        for (int b : batches) {
            System.out.printf(Locale.ROOT, " %11s", "b" + b);
        }
        System.out.println();
        for (int g : new int[] {1, 2, 3, 4}) {
            System.out.printf(Locale.ROOT, "  %-5s", g + "g");
            for (int b : batches) {
                double[] r = cells.stream().filter(c -> c.slice() == g && c.batch() == b).mapToDouble(PartitionValidation.Cell::ratio).sorted()
                        .toArray();
                System.out.printf(Locale.ROOT, " %11s", r.length == 0 ? "-" : String.format(Locale.ROOT, "%.2f (%.2f)", median(r), r[r.length - 1]));
            }
            System.out.println();
        }
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
