package io.jigsaw.planner.profile;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The partition models against ParvaGPU's measured A100 MIG slices, each model held out of the fit (the bench prints the table). */
class PartitionValidationTest {

    private static Map<String, List<ProfileRow>> parva() {
        Map<String, List<ProfileRow>> byModel = new LinkedHashMap<>();
        for (Path f : ParvaGpuCsv.filesIn(ParvaGpuCsvTest.PROF_DATA)) {
            byModel.put(ParvaGpuCsv.variantOf(f), ParvaGpuCsv.read(f));
        }
        return byModel;
    }

    private static double medianAbsError(List<PartitionValidation.Cell> cells) {
        double[] e = cells.stream().mapToDouble(c -> Math.abs(c.ratio() - 1)).sorted().toArray();
        return e.length % 2 == 1 ? e[e.length / 2] : (e[e.length / 2 - 1] + e[e.length / 2]) / 2;
    }

    @Test
    void theComputeRuleIsOptimisticByMoreThanTenPercentOnOneMeasuredRowOnly() {
        List<PartitionValidation.Cell> cells = PartitionValidation.leaveOneModelOut(parva(), PartitionModel.Rule.COMPUTE);
        assertThat(cells).hasSize(323);
        assertThat(medianAbsError(cells)).isLessThanOrEqualTo(0.10);
        // inceptionv3 alone on a 1g slice at batch 1: a launch-bound batch, slower on the smallest slice than on the whole GPU.
        assertThat(cells.stream().filter(c -> c.optimistic(0.10)))
                .singleElement().satisfies(c -> assertThat(List.of(c.model(), c.slice(), c.batch())).containsExactly("inceptionv3", 1, 1));
    }

    @Test
    void theUtilisationRuleIsUpToTwiceOptimisticWhereTheComputeRuleIsNot() {
        Map<String, List<ProfileRow>> byModel = parva();
        List<PartitionValidation.Cell> util = PartitionValidation.leaveOneModelOut(byModel, PartitionModel.Rule.UTILISATION);
        assertThat(util.stream().filter(c -> c.optimistic(0.10)).count()).isGreaterThan(40);
        PartitionValidation.Cell vgg = util.stream().filter(c -> c.model().equals("vgg16") && c.slice() == 2 && c.batch() == 1).findFirst().orElseThrow();
        assertThat(vgg.ratio()).isGreaterThan(1.9);
        PartitionValidation.Cell same = PartitionValidation.leaveOneModelOut(byModel, PartitionModel.Rule.COMPUTE).stream()
                .filter(c -> c.model().equals("vgg16") && c.slice() == 2 && c.batch() == 1).findFirst().orElseThrow();
        assertThat(same.ratio()).isBetween(0.8, 1.1);
    }

    @Test
    void thePlannersEfficiencyIsTheOneFittedOnAllModels() {
        assertThat(PartitionValidation.fitEfficiency(parva().values())).isCloseTo(PartitionModel.SLICE_EFFICIENCY, org.assertj.core.api.Assertions.within(0.005));
    }

    @Test
    void theComputeRuleKeepsTheWholeGpusTimeWhereTheHostBoundsIt() {
        // A launch-bound curve (flat to batch 4), then compute-bound: 5, 5, 5.2, 8, 15 ms at batch 1, 2, 4, 8, 16.
        List<ProfileRow> whole = Arrays.stream(new double[][] {{1, 5}, {2, 5}, {4, 5.2}, {8, 8}, {16, 15}})
                .map(r -> new ProfileRow("v", "gpu", 100, (int) r[0], r[1], r[1], ProfileRow.Source.MEASURED)).toList();
        Profile p = new Profile("gpu", PartitionModel.complete(whole, ShareGrid.migSlices(), PartitionModel.Rule.COMPUTE), List.of());
        double oneG = 100.0 / 7;
        // Batch 4 is the first whose doubling costs more than 10 %: C(4) = 5.2 ms, C(1) = 5.2 / 4.
        assertThat(p.row("v", oneG, 1).orElseThrow().p50Ms()).isCloseTo(Math.max(5, PartitionModel.SLICE_EFFICIENCY * 1.3 * 7),
                org.assertj.core.api.Assertions.within(1e-9));
        assertThat(p.row("v", oneG, 8).orElseThrow().p50Ms()).isCloseTo(PartitionModel.SLICE_EFFICIENCY * 8 * 7,
                org.assertj.core.api.Assertions.within(1e-9));
        // A large slice at a small batch: the host's time, as on the whole GPU.
        assertThat(p.row("v", 400.0 / 7, 1).orElseThrow().p50Ms()).isEqualTo(5);
        assertThat(p.row("v", oneG, 1).orElseThrow().derived()).isTrue();
    }
}
