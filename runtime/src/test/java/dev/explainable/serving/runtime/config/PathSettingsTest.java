package dev.explainable.serving.runtime.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.explainable.serving.runtime.explain.AdaptiveSteps;
import dev.explainable.serving.runtime.explain.BlurConfig;
import dev.explainable.serving.runtime.explain.GaussianBlur;
import dev.explainable.serving.runtime.explain.PathOptions;
import dev.explainable.serving.runtime.explain.SmoothGradConfig;
import dev.explainable.serving.runtime.explain.StepPlacement;
import dev.explainable.serving.runtime.testing.TestOptions;

/**
 * explain.smooth-grad.*, explain.blur-ig.*, explain.target-approx-error and explain.max-integral-steps, set through
 * the environment as the operator sets the others.
 */
class PathSettingsTest {

    static MethodOptions from(Map<String, String> env) {
        return RuntimeOptions.from(TestOptions.config(env)).attribution();
    }

    @Test
    void offByDefault() {
        PathOptions path = from(Map.of()).pathOptions();
        assertEquals(Optional.empty(), path.smoothGrad());
        assertEquals(Optional.empty(), path.blur());
        assertEquals(50, path.steps());
    }

    @Test
    void settingsReachThePathOptions() {
        PathOptions path = from(Map.of(
                        "EXPLAIN_SMOOTH_GRAD_NOISY_SAMPLE_COUNT", "5",
                        "EXPLAIN_SMOOTH_GRAD_NOISE_SIGMA", "0.2",
                        "EXPLAIN_BLUR_IG_MAX_BLUR_SIGMA", "20",
                        "EXPLAIN_BLUR_IG_PATH", "straight",
                        "EXPLAIN_BLUR_IG_BOUNDARY", "reflect"))
                .pathOptions();
        assertEquals(new SmoothGradConfig(5, 0.2, Map.of()), path.smoothGrad().orElseThrow());
        assertEquals(
                new BlurConfig(20, BlurConfig.Path.STRAIGHT, GaussianBlur.Boundary.REFLECT),
                path.blur().orElseThrow());
        SmoothGradConfig perInput = from(Map.of(
                        "EXPLAIN_SMOOTH_GRAD_NOISY_SAMPLE_COUNT", "3",
                        "EXPLAIN_SMOOTH_GRAD_FEATURE_NOISE_SIGMA", "image=0.3,mask=0"))
                .smoothGrad()
                .orElseThrow();
        assertEquals(Map.of("image", 0.3, "mask", 0.0), perInput.featureNoiseSigma());
    }

    @Test
    void aTargetApproxErrorRefinesTheStepsUpToTheCap() {
        assertEquals(Optional.empty(), from(Map.of()).pathOptions().adaptiveSteps(), "fixed steps by default");
        assertEquals(400, from(Map.of()).maxIntegralSteps());
        PathOptions path = from(Map.of(
                        "EXPLAIN_TARGET_APPROX_ERROR", "0.01",
                        "EXPLAIN_MAX_INTEGRAL_STEPS", "800"))
                .pathOptions();
        assertEquals(
                new AdaptiveSteps(0.01, 800, StepPlacement.LOCAL_ERROR),
                path.adaptiveSteps().orElseThrow(),
                "where the error is, by default");
        assertEquals(50, path.steps(), "where the refinement starts");
        assertEquals(
                32L * 131072,
                from(Map.of(
                                "EXPLAIN_TARGET_APPROX_ERROR", "0.01",
                                "EXPLAIN_LIMITS_MAX_BATCH_ELEMENTS", "131072"))
                        .pathOptions()
                        .adaptiveSteps()
                        .orElseThrow()
                        .maxKeptValues(),
                "the gradients a local-error refinement keeps scale with max-batch-elements");
        assertEquals(
                new AdaptiveSteps(0.01, 400, StepPlacement.EQUAL),
                from(Map.of("EXPLAIN_TARGET_APPROX_ERROR", "0.01", "EXPLAIN_STEP_PLACEMENT", "equal"))
                        .pathOptions()
                        .adaptiveSteps()
                        .orElseThrow());
        String placement = assertThrows(
                        IllegalArgumentException.class, () -> from(Map.of("EXPLAIN_STEP_PLACEMENT", "gauss")))
                .getMessage();
        assertTrue(placement.contains("explain.step-placement"), placement);
        String target = assertThrows(
                        IllegalArgumentException.class, () -> from(Map.of("EXPLAIN_TARGET_APPROX_ERROR", "0.6")))
                .getMessage();
        assertTrue(target.startsWith("explain.target-approx-error: ") && target.contains("0.5"), target);
        String cap = assertThrows(
                        IllegalArgumentException.class, () -> from(Map.of("EXPLAIN_MAX_INTEGRAL_STEPS", "1001")))
                .getMessage();
        assertTrue(cap.startsWith("explain.max-integral-steps: "), cap);
        String uniform = assertThrows(
                        IllegalArgumentException.class,
                        () -> from(Map.of(
                                "EXPLAIN_TARGET_APPROX_ERROR", "0.01",
                                "EXPLAIN_INTEGRATION_RULE", "uniform")))
                .getMessage();
        assertTrue(uniform.contains("trapezoid"), uniform);
    }

    @Test
    void outOfRangeFailsStartupNamingTheSetting() {
        String count = assertThrows(
                        IllegalArgumentException.class,
                        () -> from(Map.of("EXPLAIN_SMOOTH_GRAD_NOISY_SAMPLE_COUNT", "51")))
                .getMessage();
        assertTrue(count.startsWith("explain.smooth-grad: ") && count.contains("1..50"), count);
        String sigma = assertThrows(
                        IllegalArgumentException.class,
                        () -> from(Map.of(
                                "EXPLAIN_SMOOTH_GRAD_NOISY_SAMPLE_COUNT", "3",
                                "EXPLAIN_SMOOTH_GRAD_NOISE_SIGMA", "-1")))
                .getMessage();
        assertTrue(sigma.contains("noiseSigma"), sigma);
        String blur = assertThrows(
                        IllegalArgumentException.class, () -> from(Map.of("EXPLAIN_BLUR_IG_MAX_BLUR_SIGMA", "-2")))
                .getMessage();
        assertTrue(blur.startsWith("explain.blur-ig: "), blur);
        String path = assertThrows(
                        IllegalArgumentException.class,
                        () -> from(Map.of("EXPLAIN_BLUR_IG_MAX_BLUR_SIGMA", "2", "EXPLAIN_BLUR_IG_PATH", "zigzag")))
                .getMessage();
        assertTrue(path.contains("blur or straight"), path);
    }
}
