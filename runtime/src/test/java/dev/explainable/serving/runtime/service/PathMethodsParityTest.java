package dev.explainable.serving.runtime.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;

import dev.explainable.serving.runtime.TestModels;
import dev.explainable.serving.runtime.config.RuntimeOptions;
import dev.explainable.serving.runtime.explain.Attribution;
import dev.explainable.serving.runtime.explain.InputValues;
import dev.explainable.serving.runtime.explain.IntegrationRule;
import dev.explainable.serving.runtime.explain.PathAttributions;
import dev.explainable.serving.runtime.explain.ScoreFunction;
import dev.explainable.serving.runtime.explain.SmoothGrad;
import dev.explainable.serving.runtime.explain.SmoothGradConfig;
import dev.explainable.serving.runtime.explain.StraightPath;
import dev.explainable.serving.runtime.metadata.MetadataException;
import dev.explainable.serving.runtime.model.ForwardResult;
import dev.explainable.serving.runtime.model.LabelTargets;
import dev.explainable.serving.runtime.model.ModelRunner;
import dev.explainable.serving.runtime.model.OutputInfo;
import dev.explainable.serving.runtime.result.LabelAttribution;
import dev.explainable.serving.runtime.tensor.HostTensor;
import dev.explainable.serving.runtime.tensor.InstanceDecoder;

/**
 * Blur IG and SmoothGrad on the committed image models against PAIR saliency 0.2.1 (fixtures from
 * tools/make-reference-fixtures.py): the same steps, sigma and rule (uniform, saliency's), and for SmoothGrad the
 * same noise (the fixture's standard normal draws). Tolerances are relative to the map's largest value.
 */
class PathMethodsParityTest {

    /**
     * Blur IG and the straight line from the blurred image on the small CNN: measured 2.0e-5 and 3.3e-7. Blur IG is
     * further from saliency than plain IG because saliency blurs in float32 and divides the blur difference by 0.01,
     * which turns float32 rounding (6e-8) into about 6e-6 of each derivative; the runtime blurs in double.
     */
    static final double BLUR_TOLERANCE = 1e-3;
    /** SmoothGrad-IG with the fixture's noise on the small CNN: measured 2.9e-7, as plain IG (2.4e-7). */
    static final double SMOOTH_TOLERANCE = 1e-3;

    static double tolerance(String model) {
        // MobileNetV2's saturated softmax moves with the CPU's float32 kernels (see ReferenceParityTest)
        return model.equals("mobilenet_v2") ? 1e-2 : BLUR_TOLERANCE;
    }

    static LabelAttribution explain(RuntimeOptions options, String model) {
        try (LoadedModel loaded = ModelLoader.load(options)) {
            return TestModels.explain(loaded, ReferenceParityTest.instance(model));
        }
    }

    /** Saliency's rule and steps, and a blurred start of {@code maxBlurSigma} along {@code path}. */
    static RuntimeOptions uniformBlur(String model, double maxBlurSigma, String path) {
        return TestModels.options(
                model,
                "explain.integral-steps",
                "50",
                "explain.integration-rule",
                "uniform",
                "explain.blur-ig.max-blur-sigma",
                String.valueOf(maxBlurSigma),
                "explain.blur-ig.path",
                path);
    }

    /** The worst element-wise difference relative to the reference's largest magnitude. */
    static double worst(double[] want, double[] got) {
        assertEquals(want.length, got.length, "length");
        double scale = Arrays.stream(want).map(Math::abs).max().orElse(1);
        double worst = 0;
        for (int i = 0; i < want.length; i++) {
            worst = Math.max(worst, Math.abs(want[i] - got[i]) / scale);
        }
        return worst;
    }

    @ParameterizedTest
    @ValueSource(strings = {"cnn_image", "mobilenet_v2"})
    void blurIntegratedGradientsMatchesSaliencysBlurIg(String model) throws Exception {
        assertBlurIgParity(model, "blur", "path", "Blur IG vs saliency BlurIG");
    }

    @ParameterizedTest
    @ValueSource(strings = {"cnn_image", "mobilenet_v2"})
    void straightLineFromTheBlurredImageMatchesSaliencysIntegratedGradients(String model) throws Exception {
        assertBlurIgParity(model, "straight", "straight", "IG from the blurred image vs saliency");
    }

    /**
     * The uniform-blur path {@code path} on {@code model}'s reference image against saliency's attributions kept
     * under {@code blur_ig.<reference>}, within the model's tolerance.
     */
    private static void assertBlurIgParity(String model, String path, String reference, String what) throws Exception {
        JsonNode ref = ReferenceParityTest.reference(model).get("blur_ig");
        LabelAttribution a = explain(uniformBlur(model, ref.get("max_sigma").asDouble(), path), model);
        double d = worst(
                ReferenceParityTest.doubles(ref.get(reference)),
                TestModels.flat(a.attributions().get("image")));
        System.out.printf("%s on %s: %.2e of the map's largest value%n", what, model, d);
        assertTrue(d <= tolerance(model), "worst " + d);
    }

    @Test
    void smoothGradIntegratedGradientsMatchesSaliencyWithTheSameNoise() throws Exception {
        JsonNode ref = ReferenceParityTest.reference("cnn_image").get("smooth_grad_ig");
        double[] normals = ReferenceParityTest.doubles(ref.get("standard_normals"));
        try (LoadedModel loaded = ModelLoader.load(TestModels.options("cnn_image"))) {
            ScoreFunction f = scoreFunction(loaded, ReferenceParityTest.instance("cnn_image"));
            InputValues image = imageValues(loaded, ReferenceParityTest.instance("cnn_image"));
            SmoothGrad path = new SmoothGrad(
                    new StraightPath(ref.get("steps").asInt(), IntegrationRule.UNIFORM),
                    new SmoothGradConfig(
                            ref.get("samples").asInt(), ref.get("noise_sigma").asDouble(), Map.of()),
                    () -> new java.util.function.DoubleSupplier() {
                        int next;

                        @Override
                        public double getAsDouble() {
                            return normals[next++];
                        }
                    });
            Attribution a =
                    PathAttributions.attribute(List.of(image), List.of(List.of(new float[image.size()])), path, f);
            double d = worst(
                    ReferenceParityTest.doubles(ref.get("attributions")),
                    a.inputs().get(0).values());
            System.out.printf("SmoothGrad-IG vs saliency with the same noise on cnn_image: %.2e%n", d);
            assertTrue(d <= SMOOTH_TOLERANCE, "worst " + d);
        }
    }

    @Test
    void smoothGradThroughThePipelineRepeatsAndReportsTheNoiselessScores() {
        RuntimeOptions plain = TestModels.options("cnn_image");
        RuntimeOptions smooth = TestModels.options("cnn_image", "explain.smooth-grad.noisy-sample-count", "5");
        LabelAttribution ig = explain(plain, "cnn_image");
        try (LoadedModel loaded = ModelLoader.load(smooth)) {
            LabelAttribution first = TestModels.explain(loaded, ReferenceParityTest.instance("cnn_image"));
            LabelAttribution again = TestModels.explain(loaded, ReferenceParityTest.instance("cnn_image"));
            double[] map = TestModels.flat(first.attributions().get("image"));
            assertArrayEquals(
                    map, TestModels.flat(again.attributions().get("image")), 0.0, "same request, same answer");
            assertEquals(ig.exampleScore(), first.exampleScore(), 1e-6, "the instance's own score");
            assertEquals(ig.baselineScore(), first.baselineScore(), 1e-6, "the baseline's own score");
            assertTrue(first.approxError() < 0.05, "approx_error " + first.approxError());
            assertTrue(worst(TestModels.flat(ig.attributions().get("image")), map) > 1e-3, "the noise shows");
        }
    }

    @Test
    void xraiWithSmoothGradAndBlurExplains() {
        RuntimeOptions xrai = TestModels.options(
                "cnn_image",
                "explain.method",
                "xrai",
                "explain.integral-steps",
                "20",
                "explain.smooth-grad.noisy-sample-count",
                "2",
                "explain.blur-ig.max-blur-sigma",
                "10");
        LabelAttribution a = explain(xrai, "cnn_image");
        assertEquals(32 * 32, TestModels.flat(a.attributions().get("image")).length);
        assertTrue(Double.isFinite(a.approxError()));
    }

    @Test
    void loadingRefusesWhatCannotApply() {
        // a blur needs one image input; SmoothGrad does not apply to Sampled Shapley; feature names must exist
        String blur = assertThrows(
                        MetadataException.class,
                        () -> ModelLoader.load(
                                TestModels.options("tabular_classifier", "explain.blur-ig.max-blur-sigma", "5")))
                .getMessage();
        assertTrue(blur.contains("blurBaselineConfig"), blur);
        String shapley = assertThrows(
                        MetadataException.class,
                        () -> ModelLoader.load(TestModels.options(
                                "tabular_classifier",
                                "explain.method",
                                "sampled-shapley",
                                "explain.smooth-grad.noisy-sample-count",
                                "3")))
                .getMessage();
        assertTrue(shapley.contains("not to sampled-shapley"), shapley);
        String names = assertThrows(
                        MetadataException.class,
                        () -> ModelLoader.load(TestModels.options(
                                "cnn_image",
                                "explain.smooth-grad.noisy-sample-count",
                                "3",
                                "explain.smooth-grad.feature-noise-sigma",
                                "imag=0.2")))
                .getMessage();
        assertTrue(names.contains("[imag]"), names);
    }

    static ForwardResult forward(LoadedModel loaded, String instance) throws Exception {
        InstanceDecoder decoder = new InstanceDecoder(loaded.signature().signatureInputs(), Map.of());
        Map<String, HostTensor> decoded = decoder.decode(TestModels.JSON.readTree(instance), 0);
        return new ModelRunner(loaded.model()).forward(List.of(decoded)).get(0);
    }

    static ScoreFunction scoreFunction(LoadedModel loaded, String instance) throws Exception {
        ForwardResult r = forward(loaded, instance);
        OutputInfo o = loaded.signature().explainedOutputs().get(0);
        return new ModelRunner(loaded.model()).scoreFunction(r, o, LabelTargets.top(r, o), 64);
    }

    static InputValues imageValues(LoadedModel loaded, String instance) throws Exception {
        HostTensor x = forward(loaded, instance).explainedValues().get("image");
        return new InputValues("image", x.shape(), x.floats(), null);
    }
}
