package io.jigsaw.core.scene;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The synthetic dataset is the same per seed, its splits differ, and its truth is what is drawn. */
class SceneGeneratorTest {

    @Test
    void theSameSeedAndSplitGiveTheSameFrames() {
        Scene a = new SceneGenerator(7, SceneGenerator.Split.TRAIN).next();
        Scene b = new SceneGenerator(7, SceneGenerator.Split.TRAIN).next();
        Scene test = new SceneGenerator(7, SceneGenerator.Split.TEST).next();

        assertThat(a.frame()).containsExactly(b.frame());
        assertThat(a.objects()).usingRecursiveFieldByFieldElementComparator().isEqualTo(b.objects());
        assertThat(test.frame()).isNotEqualTo(a.frame());
    }

    @Test
    void objectsSitInDistinctCellsWithBoxesAndDistancesInRange() {
        SceneGenerator g = new SceneGenerator(1, SceneGenerator.Split.TRAIN);
        int objects = 0;
        for (int i = 0; i < 200; i++) {
            Scene s = g.next();
            assertThat(s.objects()).hasSizeLessThanOrEqualTo(SceneGenerator.MAX_OBJECTS);
            List<SceneObject> whole = s.objects().stream().filter(o -> o.box()[0] > 0 && o.box()[1] > 0 && o.box()[2] < 1 && o.box()[3] < 1).toList();
            assertThat(whole.stream().map(o -> cell(o.box())).distinct().count()).isEqualTo(whole.size());
            for (SceneObject o : s.objects()) {
                assertThat(o.distance()).isBetween(1f, 4f);
            }
            for (SceneObject o : whole) {
                assertThat(o.box()[2] - o.box()[0]).as("28 px / distance").isCloseTo(Math.round(28 / o.distance()) / 64f, within(0.02f));
            }
            objects += s.objects().size();
        }
        assertThat(objects / 200.0).as("objects per frame").isBetween(1.3, 1.8);
    }

    @Test
    void theNearestObjectsLabelIsTheScenesAnswer() {
        float[] box = {0, 0, 0.1f, 0.1f};
        Scene s = new Scene(new float[0], 64, List.of(new SceneObject(3, box, 2.5f), new SceneObject(7, box, 1.5f)));

        assertThat(s.nearestLabel()).isEqualTo(7);
        assertThat(new Scene(new float[0], 64, List.of()).nearestLabel()).isEqualTo(SceneGenerator.NONE);
    }

    private static int cell(float[] box) {
        int cx = (int) ((box[0] + box[2]) / 2 * 4);
        int cy = (int) ((box[1] + box[3]) / 2 * 4);
        return cy * 4 + cx;
    }
}
