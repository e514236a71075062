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
        for (double bad : new double[] {0, -1, Double.NaN, 1000.5}) {
            assertTrue(refused(() -> BlurConfig.of(bad)).contains("maxBlurSigma"));
        }
        assertEquals(1000, BlurConfig.of(1000).maxBlurSigma());
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
