package dev.explainable.serving.runtime.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** Vertex's ranges and defaults for SmoothGrad and the blurred baseline, and how the options compose. */
class PathOptionsTest {

    static String refused(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    @Test
    void smoothGradRangesAreVertexs() {
        assertTrue(refused(() -> new SmoothGradConfig(0, 0.1, Map.of())).contains("noisySampleCount must be 1..50"));
        assertTrue(refused(() -> new SmoothGradConfig(51, 0.1, Map.of())).contains("got 51"));
        new SmoothGradConfig(1, 0.1, Map.of());
        new SmoothGradConfig(50, 0.1, Map.of());
        for (double bad : new double[] {0, -0.1, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertTrue(refused(() -> new SmoothGradConfig(3, bad, Map.of())).contains("noiseSigma"));
        }
        assertTrue(
                refused(() -> new SmoothGradConfig(3, 0.1, Map.of("x", -1.0))).contains("the sigma of x"));
        assertEquals(0.0, new SmoothGradConfig(3, 0.1, Map.of("x", 0.0)).sigmaFor("x"));
    }

    @Test
    void noNoiseSigmaLetsASampleOverflowFloat32() {
        for (double bad : new double[] {1e308, 1e38, 3e37}) {
            assertTrue(refused(() -> new SmoothGradConfig(3, bad, Map.of())).contains("overflows float32"), "" + bad);
            assertTrue(refused(() -> new SmoothGradConfig(3, 0.1, Map.of("x", bad)))
                    .contains("the sigma of x"));
        }
        new SmoothGradConfig(3, SmoothGradConfig.MAX_NOISE_SIGMA, Map.of("x", SmoothGradConfig.MAX_NOISE_SIGMA));
        // Random's polar method: |z| = |v| sqrt(-2 ln s / s) <= sqrt(-2 ln s), s at least 2^-104
        assertTrue(Math.sqrt(-2 * Math.log(Math.pow(2, -104))) <= SmoothGradConfig.MAX_STANDARD_NORMAL);
        assertTrue(Float.isFinite((float) (SmoothGradConfig.MAX_NOISE_SIGMA * SmoothGradConfig.MAX_STANDARD_NORMAL)));
    }

    @Test
    void vertexDefaultsAndOneOfTheTwoSigmas() {
        SmoothGradConfig d = SmoothGradConfig.fromVertex(null, null, null);
        assertEquals(3, d.noisySampleCount());
        assertEquals(0.1, d.noiseSigma());
        assertEquals(0.1, d.sigmaFor("anything"));
        SmoothGradConfig perFeature = SmoothGradConfig.fromVertex(5, null, Map.of("age", 0.2));
        assertEquals(0.2, perFeature.sigmaFor("age"));
        assertEquals(0.0, perFeature.sigmaFor("income"), "features not named get no noise");
        assertTrue(refused(() -> SmoothGradConfig.fromVertex(3, 0.1, Map.of("age", 0.2)))
                .contains("not both"));
        assertTrue(refused(() -> perFeature.checkInputs(List.of("image"))).contains("[age]"));
        perFeature.checkInputs(List.of("age", "income"));
        assertEquals(
                Map.of("image", 0.2, "a=b", 1.5),
                SmoothGradConfig.parseFeatureNoiseSigma(List.of("image=0.2", " a=b = 1.5")));
        assertTrue(refused(() -> SmoothGradConfig.parseFeatureNoiseSigma(List.of("0.2")))
                .contains("name=sigma"));
    }

    @Test
    void blurSigmaRange() {
        for (double bad : new double[] {0, -1, Double.NaN, 1000.5, 1e-300, 0.1, 0.12}) {
            assertTrue(refused(() -> BlurConfig.of(bad)).contains("maxBlurSigma"), "" + bad);
        }
        assertEquals(1000, BlurConfig.of(1000).maxBlurSigma());
        // the least sigma whose kernel reaches a neighbour
        assertEquals(BlurConfig.MIN_BLUR_SIGMA, BlurConfig.of(0.125).maxBlurSigma());
        assertEquals(3, GaussianBlur.kernel(BlurConfig.MIN_BLUR_SIGMA).length);
        assertEquals(1, GaussianBlur.kernel(0.12).length);
        assertEquals(BlurConfig.Path.STRAIGHT, BlurConfig.Path.parse(" Straight "));
        assertTrue(refused(() -> BlurConfig.Path.parse("curvy")).contains("blur or straight"));
        assertEquals(GaussianBlur.Boundary.REFLECT, GaussianBlur.Boundary.parse("reflect"));
    }

    @Test
    void aRequestDerivesItsOptionsFromTheRuntimes() {
        PathOptions runtime = PathOptions.of(50, IntegrationRule.TRAPEZOID);
        assertInstanceOf(StraightPath.class, runtime.gradientPath());
        PathOptions request = runtime.withSteps(20)
                .withSmoothGrad(SmoothGradConfig.fromVertex(7, 0.2, null))
                .withBlur(BlurConfig.of(10));
        assertEquals(20, request.steps());
        GradientPath path = request.gradientPath();
        SmoothGrad sg = assertInstanceOf(SmoothGrad.class, path);
        assertEquals(7, sg.config().noisySampleCount());
        assertInstanceOf(BlurPath.class, sg.unperturbed().orElseThrow());
        assertEquals(Optional.empty(), request.withSmoothGrad(null).smoothGrad());
        assertTrue(refused(() -> runtime.withSteps(0)).contains("steps"));
    }
}
