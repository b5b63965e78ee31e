package io.jigsaw.planner.profile;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class MigGeometryTest {

    private static MigGeometry.Layout layout(int... sizes) {
        MigGeometry.Layout l = new MigGeometry.Layout(0, 0, 0, 0, 0);
        for (int s : sizes) {
            l = l.plus(s);
        }
        return l;
    }

    @Test
    void theA100sFullLayoutsAreThoseItsPlacementsAllow() {
        // Every layout to which no slice fits any more, from the placements alone (1g at 0-6, 2g at 0/2/4, 3g at 0/4, 4g and 7g at 0).
        assertThat(MigGeometry.maximalLayouts()).map(MigGeometry.Layout::toString).containsExactly(
                "7g.80gb",
                "4g.40gb + 3g.40gb",
                "4g.40gb + 2g.20gb + 1g.10gb",
                "4g.40gb + 3 x 1g.10gb",
                "2 x 3g.40gb",
                "3g.40gb + 2 x 2g.20gb",
                "3g.40gb + 2g.20gb + 2 x 1g.10gb",
                "3g.40gb + 4 x 1g.10gb",
                "3 x 2g.20gb + 1g.10gb",
                "2 x 2g.20gb + 3 x 1g.10gb",
                "2g.20gb + 5 x 1g.10gb",
                "7 x 1g.10gb");
        assertThat(MigGeometry.maximalLayouts()).allSatisfy(l -> assertThat(MigGeometry.valid(l)).isTrue());
    }

    @Test
    void sevenSeventhsAreNotEnoughForALayout() {
        // Two 3g slices take all 8 memory slices: no 1g fits beside them, though 3 + 3 + 1 = 7.
        assertThat(MigGeometry.valid(layout(3, 3))).isTrue();
        assertThat(MigGeometry.fits(layout(3, 3), 1)).isFalse();
        assertThat(MigGeometry.valid(layout(4, 3))).isTrue();
        // A fourth 2g would start at memory slice 6, where no 2g may start.
        assertThat(MigGeometry.valid(layout(2, 2, 2, 1))).isTrue();
        assertThat(MigGeometry.valid(layout(2, 2, 2, 2))).isFalse();
        assertThat(MigGeometry.valid(layout(1, 1, 1, 1, 1, 1, 1))).isTrue();
        assertThat(MigGeometry.fits(layout(1, 1, 1, 1, 1, 1, 1), 1)).isFalse();
        assertThat(MigGeometry.valid(layout(7, 1))).isFalse();
    }

    @Test
    void onlyTheA100sSliceSizesAreSlices() {
        assertThat(MigGeometry.sizeOf(100.0 / 7)).isEqualTo(1);
        assertThat(MigGeometry.sizeOf(100)).isEqualTo(7);
        assertThat(MigGeometry.sizeOf(500.0 / 7)).isEqualTo(-1); // no 5g
        assertThat(MigGeometry.sizeOf(50)).isEqualTo(-1);
        assertThat(ShareGrid.migSlices().shares()).containsExactly(100.0 / 7, 200.0 / 7, 300.0 / 7, 400.0 / 7, 100.0);
        assertThat(ShareGrid.migSlices().mig()).isTrue();
        assertThat(List.of(1, 2, 3, 4, 7)).allSatisfy(g -> assertThat(MigGeometry.profileName(g)).endsWith("gb"));
        assertThat(MigGeometry.profileName(3)).isEqualTo("3g.40gb");
    }
}
