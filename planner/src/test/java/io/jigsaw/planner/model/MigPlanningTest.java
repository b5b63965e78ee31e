package io.jigsaw.planner.model;

import io.jigsaw.core.graph.Graph;
import io.jigsaw.core.graph.GraphLoader;
import io.jigsaw.core.plan.Partition;
import io.jigsaw.planner.profile.MigGeometry;
import io.jigsaw.planner.profile.Profile;
import io.jigsaw.planner.profile.ProfileLoader;
import io.jigsaw.planner.profile.ShareGrid;
import io.jigsaw.planner.solver.PlanSolver;
import io.jigsaw.planner.solver.SolverSettings;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class MigPlanningTest {

    private static final double ONE_G = 100.0 / 7;

    @Test
    void aGpuTakesSlicesOnlyInAValidLayout() {
        // Two 3g slices and a 1g: seven sevenths, but the 1g has no memory slice left beside two 3g, so it goes to GPU 1.
        GpuPacker.Packing p = GpuPacker.pack(new double[] {300.0 / 7, ONE_G}, new int[] {2, 1}, null, true, 2, true, 0);
        assertThat(p.overflowShare()).isZero();
        assertThat(p.partitions().get(0)).extracting(Partition::gpu).containsExactly(0, 0);
        assertThat(p.partitions().get(1)).extracting(Partition::gpu).containsExactly(1);
        assertThat(p.migLayouts()[0].toString()).isEqualTo("2 x 3g.40gb");
        // Each replica names its slice where the GPU's layout places it: the two 3g at memory slices 0 and 4.
        assertThat(p.partitions().get(0)).extracting(Partition::migSlice).containsExactly("3g.40gb@0", "3g.40gb@4");
        assertThat(p.partitions().get(1)).extracting(Partition::migSlice).containsExactly("1g.10gb@0");
        // On one GPU it does not fit at all, where MPS shares (a sum <= 100 %) would take it.
        assertThat(GpuPacker.pack(new double[] {300.0 / 7, ONE_G}, new int[] {2, 1}, null, true, 1, false, 0).overflowShare())
                .isCloseTo(ONE_G, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(GpuPacker.pack(new double[] {300.0 / 7, ONE_G}, new int[] {2, 1}, 1, false, 0).overflowShare()).isZero();
    }

    @Test
    void processesSharingASliceArePlacedInIt() {
        // Five replicas, two processes per 1g slice: three slices, the last with one process.
        GpuPacker.Packing p = GpuPacker.pack(new double[] {ONE_G / 2}, new int[] {5}, new int[] {2}, true, 1, true, 0);
        assertThat(p.partitions().get(0)).hasSize(5).allSatisfy(part -> assertThat(part.share()).isEqualTo(ONE_G / 2));
        assertThat(p.migLayouts()[0].toString()).isEqualTo("3 x 1g.10gb");
        assertThat(p.partitions().get(0)).extracting(Partition::migSlice)
                .containsExactly("1g.10gb@0", "1g.10gb@0", "1g.10gb@1", "1g.10gb@1", "1g.10gb@2");
        // MPS shares of whole GPUs name no slice.
        assertThat(GpuPacker.pack(new double[] {50}, new int[] {2}, 1, true, 0).partitions().get(0))
                .extracting(Partition::migSlice).containsOnlyNulls();
    }

    @Test
    void replicasSharingSlicesHoldWholeSlices() {
        // Three replicas, two per 1g slice: two slices held, though the second runs one process.
        TaskLoad three = new TaskLoad("t", new TaskOption("v", 1, ONE_G / 2, 2), 100, 3, 5, 0, 10, false);
        assertThat(three.totalShare()).isCloseTo(2 * ONE_G, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(new TaskLoad("t", new TaskOption("v", 1, ONE_G), 100, 3, 5, 0, 10, false).totalShare())
                .isCloseTo(3 * ONE_G, org.assertj.core.api.Assertions.within(1e-9));
    }

    @Test
    void everyValidLayoutHasPlacementsThatDoNotOverlap() {
        for (MigGeometry.Layout l : MigGeometry.maximalLayouts()) {
            int[][] starts = MigGeometry.placements(l);
            boolean[] used = new boolean[8];
            int[] memory = {1, 2, 4, 4, 8};
            for (int i = 0; i < starts.length; i++) {
                assertThat(starts[i]).hasSize(l.counts()[i]);
                for (int start : starts[i]) {
                    for (int m = start; m < start + memory[i]; m++) {
                        assertThat(used[m]).as(l + ": memory slice " + m + " used twice").isFalse();
                        used[m] = true;
                    }
                }
            }
        }
        assertThat(MigGeometry.sizeOfName("3g.40gb@4")).isEqualTo(3);
        // A plan file's slice that names none is refused with what a slice looks like, not a number-format error.
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> MigGeometry.sizeOfName("xg.10gb@0"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("names no A100 MIG slice");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> MigGeometry.sizeOfName("5g.50gb@0"))
                .hasMessageContaining("names no A100 MIG slice");
    }

    @Test
    void theA100AppPlansOnMeasuredRowsInValidLayouts() {
        Path graphFile = Path.of(System.getProperty("jigsaw.examples.dir", "../examples"), "a100-vision", "graph.yaml");
        Graph graph = GraphLoader.load(graphFile);
        Profile profile = ProfileLoader.load(graph, graphFile, List.of(), null, ShareGrid.migSlices());
        PlanningInstance instance = PlanningInstance.of(graph, profile, 1000, 8, ShareGrid.migSlices(), Policy.JIGSAW);
        SolvedPlan plan = new PlanSolver(SolverSettings.defaults().withLimits(Duration.ofSeconds(5), Duration.ofSeconds(1))).solve(instance);
        Evaluation e = plan.evaluation();
        assertThat(plan.feasible()).isTrue();
        assertThat(e.usesDerivedRows()).isFalse();
        assertThat(e.packing().migLayouts()).allSatisfy(l -> assertThat(MigGeometry.valid(l)).isTrue());
        // Every replica's partition is a slice or an equal part of one, and names it.
        for (TaskLoad l : e.tasks()) {
            assertThat(MigGeometry.sizeOf(l.option().share() * l.option().processes())).isPositive();
        }
        e.packing().partitions().forEach(list -> list.forEach(part -> assertThat(part.migSlice()).isNotNull()));
        // The slices in the layouts hold every replica: per GPU, the layout's sevenths cover its replicas' shares.
        double[] held = new double[8];
        e.packing().partitions().forEach(list -> list.forEach(part -> held[part.gpu()] += part.share()));
        for (int g = 0; g < 8; g++) {
            assertThat(held[g]).isLessThanOrEqualTo(100.0 * e.packing().migLayouts()[g].sevenths() / 7 + 1e-6);
        }
    }
}
