package dev.explainable.serving.runtime.config;

import java.util.List;
import java.util.Optional;

import dev.explainable.serving.contract.AttributionMethod;
import dev.explainable.serving.runtime.explain.AdaptiveSteps;
import dev.explainable.serving.runtime.explain.BlurConfig;
import dev.explainable.serving.runtime.explain.GaussianBlur;
import dev.explainable.serving.runtime.explain.IntegrationRule;
import dev.explainable.serving.runtime.explain.PathOptions;
import dev.explainable.serving.runtime.explain.SmoothGradConfig;
import dev.explainable.serving.runtime.explain.StepPlacement;
import dev.explainable.serving.runtime.explain.xrai.XraiParameters;

/**
 * How the model's attributions are computed: the method (explain.method), its steps or paths, and the path settings
 * of Integrated Gradients and XRAI, each checked when read. A request may change the steps or the paths
 * ({@link #withIntegralSteps}, {@link #withPaths}), never the method.
 *
 * @param smoothGrad        SmoothGrad for Integrated Gradients and XRAI (explain.smooth-grad.*), or empty
 * @param blur              a blurred start for Integrated Gradients and XRAI (explain.blur-ig.*), or empty
 * @param targetApproxError the approx_error Integrated Gradients and XRAI refine their steps towards
 *                          (explain.target-approx-error), or empty for fixed steps
 * @param maxIntegralSteps  the most steps a refinement may reach (explain.max-integral-steps), a request's target
 *                          included
 * @param stepPlacement     where a refinement puts its points (explain.step-placement)
 * @param maxKeptValues     the gradient values a local-error refinement may keep, {@link
 *                          AdaptiveSteps#KEPT_VALUES_PER_BATCH_ELEMENT} a value of explain.limits.max-batch-elements
 */
public record MethodOptions(
        AttributionMethod method,
        int integralSteps,
        int paths,
        IntegrationRule integrationRule,
        XraiParameters xrai,
        Optional<SmoothGradConfig> smoothGrad,
        Optional<BlurConfig> blur,
        Optional<Double> targetApproxError,
        int maxIntegralSteps,
        StepPlacement stepPlacement,
        long maxKeptValues) {

    /**
     * Reads the method's settings; a method or integration rule that does not parse, or a value out of range, throws
     * {@link IllegalArgumentException} naming the setting.
     */
    static MethodOptions from(ExplainConfig c) {
        IntegrationRule rule = IntegrationRule.parse(c.integrationRule());
        StepPlacement stepPlacement = StepPlacement.parse(c.stepPlacement());
        long maxKeptValues =
                AdaptiveSteps.KEPT_VALUES_PER_BATCH_ELEMENT * c.limits().maxBatchElements();
        adaptiveSteps(c.targetApproxError(), c.maxIntegralSteps(), stepPlacement, maxKeptValues, rule);
        var x = c.xrai();
        return new MethodOptions(
                AttributionMethod.fromRuntimeName(c.method()),
                c.integralSteps(),
                c.paths(),
                rule,
                new XraiParameters(
                        x.segmentationSize(),
                        x.scales(),
                        x.sigma(),
                        x.minSegmentSize(),
                        x.dilationRadius(),
                        x.minPixelDiff(),
                        x.areaThreshold()),
                smoothGrad(c.smoothGrad()),
                blur(c.blurIg()),
                c.targetApproxError(),
                c.maxIntegralSteps(),
                stepPlacement,
                maxKeptValues);
    }

    /** How Integrated Gradients and XRAI integrate: steps, rule, SmoothGrad, blur and a target error. */
    public PathOptions pathOptions() {
        return new PathOptions(
                integralSteps,
                integrationRule,
                smoothGrad,
                blur,
                adaptiveSteps(targetApproxError, maxIntegralSteps, stepPlacement, maxKeptValues, integrationRule));
    }

    /** The refinement towards a request's target {@code approx_error}, within this runtime's step cap. */
    public AdaptiveSteps adaptiveSteps(double target) {
        return new AdaptiveSteps(target, maxIntegralSteps, stepPlacement, maxKeptValues);
    }

    /** These options with a request's path steps. */
    public MethodOptions withIntegralSteps(int steps) {
        return new MethodOptions(
                method,
                steps,
                paths,
                integrationRule,
                xrai,
                smoothGrad,
                blur,
                targetApproxError,
                maxIntegralSteps,
                stepPlacement,
                maxKeptValues);
    }

    /** These options with a request's Sampled Shapley permutations. */
    public MethodOptions withPaths(int p) {
        return new MethodOptions(
                method,
                integralSteps,
                p,
                integrationRule,
                xrai,
                smoothGrad,
                blur,
                targetApproxError,
                maxIntegralSteps,
                stepPlacement,
                maxKeptValues);
    }

    /**
     * explain.smooth-grad.*: off at a sample count of 0, otherwise checked against Vertex's ranges (a value out of
     * range fails startup naming the setting).
     */
    static Optional<SmoothGradConfig> smoothGrad(ExplainConfig.SmoothGrad s) {
        if (s.noisySampleCount() == 0 && s.featureNoiseSigma().isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new SmoothGradConfig(
                    s.noisySampleCount(),
                    s.noiseSigma(),
                    SmoothGradConfig.parseFeatureNoiseSigma(
                            s.featureNoiseSigma().orElse(List.of()))));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("explain.smooth-grad: " + e.getMessage(), e);
        }
    }

    /** explain.blur-ig.*: off at a sigma of 0. */
    static Optional<BlurConfig> blur(ExplainConfig.BlurIg b) {
        if (b.maxBlurSigma() == 0) {
            return Optional.empty();
        }
        try {
            return Optional.of(new BlurConfig(
                    b.maxBlurSigma(), BlurConfig.Path.parse(b.path()), GaussianBlur.Boundary.parse(b.boundary())));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("explain.blur-ig: " + e.getMessage(), e);
        }
    }

    /**
     * explain.target-approx-error and explain.max-integral-steps, checked at startup (a value out of range, or a
     * target with the uniform rule, fails it naming the setting): the refinement, or empty without a target.
     */
    static Optional<AdaptiveSteps> adaptiveSteps(
            Optional<Double> target,
            int maxSteps,
            StepPlacement stepPlacement,
            long maxKeptValues,
            IntegrationRule rule) {
        try {
            // the cap is checked with or without a target: a request may bring one
            AdaptiveSteps.checkMaxSteps(maxSteps);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("explain.max-integral-steps: " + e.getMessage(), e);
        }
        if (target.isEmpty()) {
            return Optional.empty();
        }
        try {
            AdaptiveSteps a = new AdaptiveSteps(target.get(), maxSteps, stepPlacement, maxKeptValues);
            PathOptions.of(1, rule).withAdaptiveSteps(a);
            return Optional.of(a);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("explain.target-approx-error: " + e.getMessage(), e);
        }
    }
}
