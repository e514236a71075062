package dev.explainable.serving.runtime.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.explainable.serving.runtime.TestModels;
import dev.explainable.serving.runtime.explain.AdaptiveSteps;
import dev.explainable.serving.runtime.explain.Attribution;
import dev.explainable.serving.runtime.explain.ExplainedInstance;
import dev.explainable.serving.runtime.explain.InputValues;
import dev.explainable.serving.runtime.explain.IntegratedGradientsExplainer;
import dev.explainable.serving.runtime.explain.IntegrationRule;
import dev.explainable.serving.runtime.explain.PathOptions;
import dev.explainable.serving.runtime.explain.ScoreFunction;
import dev.explainable.serving.runtime.explain.StepPlacement;
import dev.explainable.serving.runtime.model.ForwardResult;
import dev.explainable.serving.runtime.model.LabelTargets;
import dev.explainable.serving.runtime.model.ModelRunner;
import dev.explainable.serving.runtime.model.OutputInfo;
import dev.explainable.serving.runtime.result.LabelAttribution;
import dev.explainable.serving.runtime.tensor.HostTensor;
import dev.explainable.serving.runtime.tensor.InstanceDecoder;
import dev.explainable.serving.runtime.work.LimitExceededException;

/**
 * A target approx_error on real SavedModels (the committed small CNN and MobileNetV2, their sample images): the
 * refinement reaches the target with fewer model evaluations than fixed or doubled steps that reach it too, the
 * pipeline reports the steps, and the work bound counts the refinement's worst case.
 */
class AdaptiveStepsModelTest {

    /**
     * Between the sample's gap at 50 steps and at 100 (both printed, and checked below: the test is about a
     * refinement that stops at 100, not at the first or the last doubling).
     */
    static final double TARGET = 0.01;

    /** Counts the points the method evaluates, with and without gradients. */
    static final class Counting implements ScoreFunction {
        final ScoreFunction model;
        long points;

        Counting(ScoreFunction model) {
            this.model = model;
        }

        @Override
        public Scores at(List<float[]> batch, int n, boolean withGradients) {
            points += n;
            return model.at(batch, n, withGradients);
        }

        @Override
        public int maxPointsPerCall() {
            return model.maxPointsPerCall();
        }
    }

    @Test
    void cnnImageReachesTheTargetWithFewerEvaluationsThanFixed200Steps() {
        var loaded = TestModels.load("cnn_image", 50);
        JsonNode image = TestModels.expected("cnn_image").get("image");
        ModelRunner runner = new ModelRunner(loaded.model());
        ForwardResult r = runner.forward(
                        List.of(new InstanceDecoder(loaded.signature().signatureInputs(), Map.of()).decode(image, 0)))
                .get(0);
        OutputInfo out = loaded.signature().explainedOutputs().get(0);
        ScoreFunction model = runner.scoreFunction(r, out, LabelTargets.top(r, out), 64);
        HostTensor x = r.explainedValues().get("image");
        ExplainedInstance instance =
                ExplainedInstance.withZeroBaselines(List.of(new InputValues("image", x.shape(), x.floats(), null)));

        double[] gaps = new double[3];
        int[] fixedSteps = {50, 100, 200};
        for (int i = 0; i < 3; i++) {
            gaps[i] = new IntegratedGradientsExplainer(fixedSteps[i], IntegrationRule.TRAPEZOID)
                    .explain(instance, model)
                    .approxError();
        }
        System.out.printf("cnn_image approx_error at 50, 100, 200 steps: %.5f %.5f %.5f%n", gaps[0], gaps[1], gaps[2]);
        assertTrue(gaps[0] > TARGET && gaps[1] <= TARGET, "the sample needs one doubling from 50");

        Counting fixedCount = new Counting(model);
        Attribution fixed =
                new IntegratedGradientsExplainer(200, IntegrationRule.TRAPEZOID).explain(instance, fixedCount);
        Counting adaptiveCount = new Counting(model);
        Attribution adaptive = new IntegratedGradientsExplainer(
                        PathOptions.of(50, IntegrationRule.TRAPEZOID).withAdaptiveSteps(new AdaptiveSteps(TARGET, 400)))
                .explain(instance, adaptiveCount);
        assertTrue(fixed.approxError() <= TARGET, "the fixed run reaches the target too: " + fixed.approxError());
        assertTrue(adaptive.approxError() <= TARGET, "approx_error " + adaptive.approxError());
        assertEquals(100, adaptive.integralSteps());
        assertEquals(201, fixedCount.points);
        assertEquals(101, adaptiveCount.points, "51 points, then the 50 midpoints");
        assertEquals(gaps[1], adaptive.approxError(), 1e-5, "the 100-step trapezoid rule, reached by refinement");

        // placed points (explain.step-placement=score-change): the start just inside the path, where
        // the black image's kink no longer costs half an interval, meets the target at the start
        Counting placedCount = new Counting(model);
        Attribution placed = new IntegratedGradientsExplainer(PathOptions.of(50, IntegrationRule.TRAPEZOID)
                        .withAdaptiveSteps(new AdaptiveSteps(TARGET, 400, StepPlacement.SCORE_CHANGE)))
                .explain(instance, placedCount);
        System.out.printf("cnn_image placed from 50: approx_error %.6f%n", placed.approxError());
        assertEquals(50, placed.integralSteps());
        assertEquals(51 + 26, placedCount.points, "51 gradient points and the probe's 26 forward-only ones");
        assertTrue(placed.approxError() < gaps[2] / 10, "far below fixed 200 steps: " + placed.approxError());

        // where the error is (explain.step-placement=local-error, the default): the same start just inside the
        // path, no probe
        Counting localCount = new Counting(model);
        Attribution local = new IntegratedGradientsExplainer(PathOptions.of(50, IntegrationRule.TRAPEZOID)
                        .withAdaptiveSteps(new AdaptiveSteps(TARGET, 400, StepPlacement.LOCAL_ERROR)))
                .explain(instance, localCount);
        assertEquals(50, local.integralSteps());
        assertEquals(51, localCount.points, "the start's 51 gradient points, nothing else");
        assertTrue(local.approxError() < gaps[2] / 10, "far below fixed 200 steps: " + local.approxError());

        // the same through the pipeline, as a request's targetApproxError
        LabelAttribution answered = loaded.pipeline()
                .explain(List.of(image), ExplainOptions.NONE.withTargetApproxError(TARGET))
                .get(0)
                .labels()
                .get(0);
        assertEquals(50, answered.integralSteps());
        assertEquals(local.approxError(), answered.approxError(), 1e-9);
        assertNull(TestModels.explainOne(loaded, image).labels().get(0).integralSteps(), "no target, no steps");
    }

    @Test
    void theSaturatedMobileNetReachesATargetWhereTheErrorIsThatDoublingMisses() throws Exception {
        // the committed sample: with equal steps its gap is 0.25 at 800 steps (IntegratedGradientsModelTest), with
        // placed and doubled ones 0.27 at 400 and 0.03 at 800 (docs/development.md)
        var loaded = TestModels.load("mobilenet_v2", 50);
        JsonNode image = TestModels.JSON.readTree(
                TestModels.unitImage(TestModels.expected("mobilenet_v2").get("image_uint8")));
        ModelRunner runner = new ModelRunner(loaded.model());
        ForwardResult r = runner.forward(
                        List.of(new InstanceDecoder(loaded.signature().signatureInputs(), Map.of()).decode(image, 0)))
                .get(0);
        OutputInfo out = loaded.signature().explainedOutputs().get(0);
        Counting model = new Counting(runner.scoreFunction(r, out, LabelTargets.top(r, out), 64));
        HostTensor x = r.explainedValues().get("image");
        ExplainedInstance instance =
                ExplainedInstance.withZeroBaselines(List.of(new InputValues("image", x.shape(), x.floats(), null)));

        Attribution local = new IntegratedGradientsExplainer(PathOptions.of(50, IntegrationRule.TRAPEZOID)
                        .withAdaptiveSteps(new AdaptiveSteps(0.05, 1000, StepPlacement.LOCAL_ERROR)))
                .explain(instance, model);
        System.out.printf(
                "mobilenet_v2 where the error is, from 50: approx_error %.4f at %d steps%n",
                local.approxError(), local.integralSteps());
        assertTrue(local.approxError() <= 0.05, "approx_error " + local.approxError());
        assertTrue(local.integralSteps() < 800, "fewer steps than doubling's 800: " + local.integralSteps());
        assertEquals(local.integralSteps() + 1, model.points, "every point once, all in the answer");
    }

    @Test
    void theWorkBoundCountsTheStepsARefinementMayReach() throws Exception {
        // the tabular model: 5 values per point; 51 points at 50 steps fit 1,000 values, 401 at the cap do not
        // (nor, with score-change, with the placing probe's 26)
        var limited = ModelLoader.load(
                TestModels.options("tabular_classifier", "explain.limits.max-request-elements", "1000"));
        try (limited) {
            JsonNode x = TestModels.JSON.readTree("[0.3, -1.2, 2.0, 0.7, -0.4]");
            limited.pipeline().explain(List.of(x), ExplainOptions.NONE);
            String refused = assertThrows(
                            LimitExceededException.class,
                            () -> limited.pipeline()
                                    .explain(List.of(x), ExplainOptions.NONE.withTargetApproxError(0.01)))
                    .getMessage();
            assertTrue(
                    refused.contains("2005 input values") && refused.contains("explain.max-integral-steps"), refused);
            var placed = ModelLoader.load(TestModels.options(
                    "tabular_classifier",
                    "explain.step-placement",
                    "score-change",
                    "explain.limits.max-request-elements",
                    "1000"));
            try (placed) {
                String probed = assertThrows(
                                LimitExceededException.class,
                                () -> placed.pipeline()
                                        .explain(List.of(x), ExplainOptions.NONE.withTargetApproxError(0.01)))
                        .getMessage();
                assertTrue(probed.contains("2135 input values"), "the probe's 26 points counted too: " + probed);
            }
            // a lower cap fits: at most 199 steps, 200 points
            var capped = ModelLoader.load(TestModels.options(
                    "tabular_classifier",
                    "explain.max-integral-steps",
                    "199",
                    "explain.limits.max-request-elements",
                    "1000"));
            try (capped) {
                LabelAttribution a = capped.pipeline()
                        .explain(List.of(x), ExplainOptions.NONE.withTargetApproxError(1e-4))
                        .get(0)
                        .labels()
                        .get(0);
                assertTrue(a.integralSteps() >= 50 && a.integralSteps() <= 199, "steps " + a.integralSteps());
            }
        }
    }
}
