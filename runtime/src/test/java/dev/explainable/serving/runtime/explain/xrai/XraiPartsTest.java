package dev.explainable.serving.runtime.explain.xrai;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

/** XRAI's pieces on cases small enough to work out by hand (parity with saliency is ReferenceParityTest). */
class XraiPartsTest {

    @Test
    void regionsAreAddedByDensityOfNewPixels() {
        // 1 x 6 image; masks {0,1}, {1,2,3}, {4}; minPixelDiff 1
        double[] attr = {4, 2, 0, 1, 9, 3};
        double[] out = XraiRegions.rank(attr, List.of(new int[] {0, 1}, new int[] {1, 2, 3}, new int[] {4}), 1, 1.0);
        // first {4} (9), then {0,1} (3), then {1,2,3} adds {2,3} (0.5); pixel 5 is uncovered: its own mean 3
        assertArrayEquals(new double[] {3, 3, 0.5, 0.5, 9, 3}, out, 1e-12);
    }

    @Test
    void masksAddingTooFewPixelsAreSkipped() {
        double[] attr = {1, 1, 5, 0};
        double[] out = XraiRegions.rank(attr, List.of(new int[] {0, 1, 3}, new int[] {2}), 2, 1.0);
        // {2} alone would be best (5) but adds only one pixel (< 2): skipped; {0,1,3} gains 2/3; pixel 2 keeps 5
        assertArrayEquals(new double[] {2 / 3.0, 2 / 3.0, 5, 2 / 3.0}, out, 1e-12);
    }

    @Test
    void splineResizeKeepsConstantsAndClipsOvershoot() {
        float[] flat = new float[4 * 4 * 3];
        java.util.Arrays.fill(flat, 0.25f);
        double[] up = SplineResize.resize(flat, 4, 4, 3, 9, 9);
        assertEquals(9 * 9 * 3, up.length);
        // zero padding pulls the border down (grid-constant), the interior stays at the constant
        assertEquals(0.25, up[(4 * 9 + 4) * 3], 1e-6);
        float[] step = {-1, -1, 1, 1};
        for (double v : SplineResize.resize(step, 1, 4, 1, 1, 16)) {
            assertEquals(true, v >= -1 && v <= 1, "clipped to the input range: " + v);
        }
    }

    @Test
    void diskIsSkimagesDisk() {
        assertEquals(81, XraiSegmenter.disk(5).length); // skimage.morphology.disk(5).sum() == 81
        assertEquals(5, XraiSegmenter.disk(1).length);
    }
}
