package io.jigsaw.core.image;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Which boxes become crops, in which order: the one rule the job's fan-out and a join's training share. */
class CropBoxesTest {

    private final List<String> skipped = new ArrayList<>();

    private List<CropBoxes.Taken> select(float[] scores, float[] boxes, int max) {
        return CropBoxes.select(scores, boxes, 0.5, max, 64, 64, skipped::add);
    }

    @Test
    void boxesAtOrAboveTheThresholdAreTakenBestFirstTiesByIndex() {
        float[] scores = {0.6f, 0.9f, 0.4f, 0.6f};
        float[] boxes = {0, 0, .5f, .5f, .5f, .5f, 1, 1, 0, .5f, .5f, 1, .5f, 0, 1, .5f};

        List<CropBoxes.Taken> taken = select(scores, boxes, 8);

        assertThat(taken).extracting(CropBoxes.Taken::index).containsExactly(1, 0, 3);
        assertThat(taken.get(0).box()).containsExactly(.5f, .5f, 1, 1);
        assertThat(taken).noneMatch(CropBoxes.Taken::clipped);
        assertThat(skipped).isEmpty();
    }

    @Test
    void atMostMaxAreTakenAndOnlyUsableBoxesCountTowardsIt() {
        float[] scores = {0.99f, 0.98f, 0.97f, 0.96f};
        float[] boxes = {Float.NaN, 0, .5f, .5f, /* a sliver under a pixel wide */ .5f, .5f, .505f, 1, 0, 0, .5f, .5f, .5f, .5f, 1, 1};

        List<CropBoxes.Taken> taken = select(scores, boxes, 1);

        assertThat(taken).extracting(CropBoxes.Taken::index).containsExactly(2);
        assertThat(skipped).containsExactly("nan", "empty");
    }

    @Test
    void boxesPastTheImageAreClippedToItAndSaySo() {
        List<CropBoxes.Taken> taken = select(new float[] {0.7f}, new float[] {-0.2f, 0.1f, 0.6f, 1.3f}, 8);

        assertThat(taken).singleElement().satisfies(t -> {
            assertThat(t.box()).containsExactly(0f, 0.1f, 0.6f, 1f);
            assertThat(t.clipped()).isTrue();
            assertThat(t.score()).isEqualTo(0.7f);
        });
    }
}
