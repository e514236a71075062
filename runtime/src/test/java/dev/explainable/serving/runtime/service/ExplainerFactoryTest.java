package dev.explainable.serving.runtime.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.explainable.serving.contract.AttributionMethod;
import dev.explainable.serving.runtime.config.MethodOptions;
import dev.explainable.serving.runtime.explain.IntegratedGradientsExplainer;
import dev.explainable.serving.runtime.metadata.ExplanationMetadata.InputMetadata;
import dev.explainable.serving.runtime.metadata.MetadataException;
import dev.explainable.serving.runtime.metadata.MetadataLoader;
import dev.explainable.serving.runtime.model.InputInfo;
import dev.explainable.serving.runtime.tensor.DType;
import dev.explainable.serving.runtime.tensor.TensorSpec;
import dev.explainable.serving.runtime.testing.TestOptions;
import dev.explainable.serving.runtime.work.InvalidRequestException;

/**
 * The method chosen at load and a request's variant of it, on inputs described by hand (no model is loaded): what a
 * request may change, and the refusals that name the method.
 */
class ExplainerFactoryTest {

    static final MethodOptions IG = method("integrated-gradients");

    static MethodOptions method(String name) {
        return TestOptions.from("explain.model.dir", "unused", "explain.method", name)
                .attribution();
    }

    /** One numeric input {@code x} of four values. */
    static final List<InputInfo> TABULAR = List.of(input("x", new long[] {4}, null));

    static InputInfo input(String key, long[] shape, String modality) {
        InputMetadata m = MetadataLoader.parse(
                        """
                        {"framework": "tensorflow", "inputs": {"%s": {"input_tensor_name": "%s:0"%s}},
                         "outputs": {"y": {"output_tensor_name": "y:0"}}}
                        """.formatted(key, key, modality == null ? "" : ", \"modality\": \"" + modality + "\""))
                .inputs()
                .get(key);
        TensorSpec spec = new TensorSpec(key, key + ":0", DType.FLOAT, shape);
        return new InputInfo(key, spec, spec, key, key, m, null);
    }

    static ExplainOptions steps(Integer stepCount, Integer pathCount, Double targetApproxError) {
        return new ExplainOptions(null, stepCount, pathCount, null, 1, null, null, null, targetApproxError);
    }

    @Test
    void aRequestThatChangesNothingGetsTheConfiguredMethod() {
        ExplainerFactory f = new ExplainerFactory(IG, TABULAR);
        assertTrue(f.configured() instanceof IntegratedGradientsExplainer);
        assertSame(f.configured(), f.forRequest(ExplainOptions.NONE));
        assertSame(f.configured(), f.forRequest(ExplainOptions.visualization(Map.of("type", "pixels"))));
        assertNotSame(f.configured(), f.forRequest(steps(5, null, null)), "the request's steps");
    }

    @Test
    void aRequestMayChangeOnlyWhatItsMethodHas() {
        ExplainerFactory ig = new ExplainerFactory(IG, TABULAR);
        assertEquals(
                "pathCount applies to sampled-shapley; this model explains with integrated-gradients",
                assertThrows(InvalidRequestException.class, () -> ig.forRequest(steps(null, 5, null)))
                        .getMessage());
        ExplainerFactory shapley =
                new ExplainerFactory(method(AttributionMethod.SAMPLED_SHAPLEY.runtimeName()), TABULAR);
        assertEquals(
                "stepCount applies to integrated-gradients and xrai; this model explains with sampled-shapley",
                assertThrows(InvalidRequestException.class, () -> shapley.forRequest(steps(5, null, null)))
                        .getMessage());
        assertTrue(assertThrows(InvalidRequestException.class, () -> shapley.forRequest(steps(null, null, 0.01)))
                .getMessage()
                .startsWith("targetApproxError refines the steps of integrated-gradients and xrai"));
        assertNotSame(shapley.configured(), shapley.forRequest(steps(null, 5, null)));
    }

    @Test
    void pathOptionsThatDoNotFitTheModelAreTheRequestsToChange() {
        ExplainerFactory ig = new ExplainerFactory(IG, TABULAR);
        ExplainOptions blur = new ExplainOptions(null, null, null, null, 1, null, null, 10.0, null);
        assertTrue(assertThrows(InvalidRequestException.class, () -> ig.forRequest(blur))
                .getMessage()
                .startsWith("blurBaselineConfig (explain.blur-ig) blurs one input with modality image"));
        ExplainerFactory image = new ExplainerFactory(IG, List.of(input("image", new long[] {8, 8, 3}, "image")));
        assertNotSame(image.configured(), image.forRequest(blur));
    }

    @Test
    void aMethodThatDoesNotFitTheModelFailsTheLoad() {
        assertEquals(
                "xrai explains one input with modality image; the metadata has [x]",
                assertThrows(
                                MetadataException.class,
                                () -> new ExplainerFactory(method(AttributionMethod.XRAI.runtimeName()), TABULAR))
                        .getMessage());
    }
}
