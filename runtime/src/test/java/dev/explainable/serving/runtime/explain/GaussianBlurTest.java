package dev.explainable.serving.runtime.explain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.explainable.serving.runtime.explain.GaussianBlur.Boundary;

/** The blur against numbers from scipy.ndimage.gaussian_filter(image, sigma=[s, s, 0], mode=...). */
class GaussianBlurTest {

    /** A [4, 5, 2] image: (index mod 7) / 7, with one bright value. */
    static double[] image() {
        double[] img = new double[4 * 5 * 2];
        for (int i = 0; i < img.length; i++) {
            img[i] = (i % 7) / 7.0;
        }
        img[(1 * 5 + 2) * 2] = 3.0;
        return img;
    }

    @ParameterizedTest
    @CsvSource({
        // mode, sigma, then the values at flat indices 0, 5, 13, 22, 39 (scipy 1.x, float64)
        "ZERO, 0.1, 0.0, 0.714285714286, 0.857142857143, 0.142857142857, 0.571428571429",
        "ZERO, 0.6, 0.101826201058, 0.415503554914, 0.57630848096, 0.472878439789, 0.324020263538",
        "ZERO, 1.3, 0.215095405276, 0.263409791403, 0.326259368823, 0.494882557293, 0.183657551911",
        "ZERO, 7.0, 0.0338002561927, 0.025070356287, 0.0253118579325, 0.035392752961, 0.0241901362054",
        "REFLECT, 0.1, 0.0, 0.714285714286, 0.857142857143, 0.142857142857, 0.571428571429",
        "REFLECT, 0.6, 0.124155760938, 0.506710201616, 0.57844056091, 0.476103763425, 0.4789497548",
        "REFLECT, 1.3, 0.436224628346, 0.416613674106, 0.418504291079, 0.616766224123, 0.431261565074",
        "REFLECT, 7.0, 0.564292795587, 0.407141540036, 0.407142223523, 0.564286691507, 0.407142397869",
    })
    void matchesScipy(Boundary boundary, double sigma, double v0, double v5, double v13, double v22, double v39) {
        double[] out = GaussianBlur.blur(image(), 4, 5, 2, sigma, boundary);
        int[] at = {0, 5, 13, 22, 39};
        double[] want = {v0, v5, v13, v22, v39};
        for (int k = 0; k < at.length; k++) {
            assertEquals(want[k], out[at[k]], 1e-11, boundary + " sigma " + sigma + " at " + at[k]);
        }
    }

    @Test
    void kernelIsScipysTruncatedNormalizedGaussian() {
        assertArrayEquals(new double[] {1.0}, GaussianBlur.kernel(0.1)); // radius int(0.4 + 0.5) = 0
        double[] k = GaussianBlur.kernel(1.0);
        assertEquals(9, k.length); // radius 4
        assertEquals(1.0, Arrays.stream(k).sum(), 1e-15);
        assertEquals(Math.exp(-0.5), k[5] / k[4], 1e-15);
        assertEquals(2 * (int) (4 * 50.0 + 0.5) + 1, GaussianBlur.kernel(50).length);
    }

    @Test
    void aSigmaTooSmallForANeighbourLeavesTheImageInsteadOfNaN() {
        // -0.5 / sigma^2 is -infinity here, and the one tap exp(-inf * 0) was NaN
        assertArrayEquals(new double[] {1.0}, GaussianBlur.kernel(1e-300));
        assertArrayEquals(image(), GaussianBlur.blur(image(), 4, 5, 2, 1e-300, Boundary.ZERO));
    }

    /** The products of one line as the blur's loops take them: output p reads the taps that land in the line. */
    static long countedLineProducts(int n, int radius, Boundary boundary) {
        int taps = 2 * radius + 1;
        if (boundary == Boundary.REFLECT) {
            return (long) n * Math.min(taps, 2 * n);
        }
        long count = 0;
        for (int p = 0; p < n; p++) {
            for (int t = 0; t < taps; t++) {
                int read = p + t - radius;
                count += read >= 0 && read < n ? 1 : 0;
            }
        }
        return count;
    }

    @Test
    void multiplyAddsCountWhatTheBlurComputes() {
        for (Boundary boundary : Boundary.values()) {
            for (int n : new int[] {1, 2, 5, 9, 40}) {
                for (int radius : new int[] {0, 1, 2, 4, 8, 20, 39, 40, 41, 100}) {
                    assertEquals(
                            countedLineProducts(n, radius, boundary),
                            GaussianBlur.lineMultiplyAdds(n, radius, boundary),
                            boundary + " n " + n + " radius " + radius);
                }
            }
        }
        // one pass along each axis: height lines are w * c, width lines h * c
        assertEquals(
                5 * 2 * GaussianBlur.lineMultiplyAdds(4, 5, Boundary.ZERO)
                        + 4 * 2 * GaussianBlur.lineMultiplyAdds(5, 5, Boundary.ZERO),
                GaussianBlur.multiplyAdds(4, 5, 2, 1.3, Boundary.ZERO));
        assertEquals(0, GaussianBlur.multiplyAdds(4, 5, 2, 0, Boundary.ZERO), "sigma 0 copies");
        // zero edges read no tap past the image: a kernel of 8001 taps costs a 591-pixel line 591^2, as sigma 150 does
        long wide = 2L * 591 * 3 * 591 * 591;
        assertEquals(wide, GaussianBlur.multiplyAdds(591, 591, 3, 1000, Boundary.ZERO));
        assertEquals(wide, GaussianBlur.multiplyAdds(591, 591, 3, 150, Boundary.ZERO));
        assertTrue(GaussianBlur.multiplyAdds(591, 591, 3, 5, Boundary.ZERO) < wide / 10);
    }

    @Test
    void reflectKeepsAConstantImageConstantAtAnySigma() {
        double[] flat = new double[6 * 7 * 3];
        Arrays.fill(flat, 0.37);
        for (double sigma : new double[] {0.3, 2, 40, 1000}) {
            double[] out = GaussianBlur.blur(flat, 6, 7, 3, sigma, Boundary.REFLECT);
            for (double v : out) {
                assertEquals(0.37, v, 1e-13, "sigma " + sigma);
            }
        }
    }

    @Test
    void zeroSigmaIsTheImageAndBadShapesAreRefused() {
        double[] img = image();
        assertArrayEquals(img, GaussianBlur.blur(img, 4, 5, 2, 0, Boundary.ZERO));
        assertThrows(IllegalArgumentException.class, () -> GaussianBlur.blur(img, 4, 4, 2, 1, Boundary.ZERO));
        assertThrows(IllegalArgumentException.class, () -> GaussianBlur.blur(img, 4, 5, 2, -1, Boundary.ZERO));
        assertThrows(IllegalArgumentException.class, () -> GaussianBlur.blur(img, 4, 5, 2, Double.NaN, Boundary.ZERO));
    }
}
