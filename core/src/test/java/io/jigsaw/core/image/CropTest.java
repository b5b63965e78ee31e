package io.jigsaw.core.image;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class CropTest {

    @Test
    void theWholeFrameAtItsOwnSizeIsTheFrame() {
        float[] image = new float[4 * 5 * 3];
        for (int i = 0; i < image.length; i++) {
            image[i] = i / 7f;
        }

        assertThat(Crop.resize(image, 4, 5, 3, new float[] {0, 0, 1, 1}, 4, 5)).containsExactly(image);
    }

    @Test
    void samplesBetweenTwoPixelsMixThemAndNothingOutsideTheBoxBleedsIn() {
        // One row, two pixels inside the box (0, 10), a bright one outside it (100).
        float[] image = {0, 10, 100};

        float[] out = Crop.resize(image, 1, 3, 1, new float[] {0, 0, 2 / 3f, 1}, 1, 4);

        assertThat(out[0]).isEqualTo(0f);
        assertThat(out[1]).isCloseTo(2.5f, within(1e-5f));
        assertThat(out[2]).isCloseTo(7.5f, within(1e-5f));
        assertThat(out[3]).isEqualTo(10f);
    }
}
