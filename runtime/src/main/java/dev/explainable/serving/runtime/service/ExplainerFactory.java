package dev.explainable.serving.runtime.service;

import java.util.List;

import dev.explainable.serving.contract.AttributionMethod;
import dev.explainable.serving.runtime.config.MethodOptions;
import dev.explainable.serving.runtime.explain.BlurConfig;
import dev.explainable.serving.runtime.explain.Explainer;
import dev.explainable.serving.runtime.explain.IntegratedGradientsExplainer;
import dev.explainable.serving.runtime.explain.PathOptions;
import dev.explainable.serving.runtime.explain.SampledShapleyExplainer;
import dev.explainable.serving.runtime.explain.SmoothGradConfig;
import dev.explainable.serving.runtime.explain.XraiExplainer;
import dev.explainable.serving.runtime.metadata.MetadataException;
import dev.explainable.serving.runtime.model.InputInfo;
import dev.explainable.serving.runtime.work.InvalidRequestException;

/**
 * The attribution method chosen once, at load: the configured method, checked against the model's explained inputs
 * ({@link #configured()}). A request may change its steps, paths, path options or target error within bounds
 * ({@link #forRequest}): Integrated Gradients and XRAI integrate along {@link PathOptions} (steps, rule, SmoothGrad,
 * blurred start), the runtime-wide ones from the settings, or a request's, derived from them with
 * {@code PathOptions.with*} and checked with {@link #checkPathOptions} (explainers are small immutable objects:
 * building one per request costs nothing).
 */
final class ExplainerFactory {

    /** Sampled Shapley's permutations are drawn from a fixed seed: the same request gets the same answer. */
    static final long SHAPLEY_SEED = 0L;

    private final MethodOptions options;
    private final List<InputInfo> inputs;
    private final Explainer configured;

    /**
     * The configured method for a model explaining {@code inputs}.
     *
     * @throws MetadataException where the settings do not fit the method or the model
     */
    ExplainerFactory(MethodOptions options, List<InputInfo> inputs) {
        this.options = options;
        this.inputs = List.copyOf(inputs);
        try {
            this.configured = create(options, options.pathOptions(), this.inputs);
        } catch (IllegalArgumentException e) {
            throw new MetadataException(e.getMessage());
        }
    }

    /** The method as configured, for requests that change nothing about it. */
    Explainer configured() {
        return configured;
    }

    /**
     * The configured method, or one with the request's steps, paths, path options or target error.
     *
     * @throws InvalidRequestException where the request's parameters do not fit the method or the model
     */
    Explainer forRequest(ExplainOptions request) {
        if (request.stepCount() == null
                && request.pathCount() == null
                && request.smoothGrad() == null
                && request.maxBlurSigma() == null
                && request.targetApproxError() == null) {
            return configured;
        }
        if (request.stepCount() != null && !options.method().usesIntegralSteps()) {
            throw new InvalidRequestException("stepCount applies to integrated-gradients and xrai; this model explains"
                    + " with " + options.method().runtimeName());
        }
        if (request.targetApproxError() != null && !options.method().usesIntegralSteps()) {
            throw new InvalidRequestException("targetApproxError refines the steps of integrated-gradients and xrai;"
                    + " this model explains with " + options.method().runtimeName());
        }
        if (request.pathCount() != null && options.method().usesIntegralSteps()) {
            throw new InvalidRequestException("pathCount applies to sampled-shapley; this model explains with "
                    + options.method().runtimeName());
        }
        MethodOptions o = options;
        o = request.stepCount() != null ? o.withIntegralSteps(request.stepCount()) : o;
        o = request.pathCount() != null ? o.withPaths(request.pathCount()) : o;
        try {
            PathOptions path = o.pathOptions();
            ExplainOptions.SmoothGrad s = request.smoothGrad();
            if (s != null) {
                path = path.withSmoothGrad(
                        SmoothGradConfig.fromVertex(s.noisySampleCount(), s.noiseSigma(), s.featureNoiseSigma()));
            }
            if (request.maxBlurSigma() != null) {
                double sigma = request.maxBlurSigma();
                path = path.withBlur(
                        path.blur().map(b -> b.withMaxBlurSigma(sigma)).orElseGet(() -> BlurConfig.of(sigma)));
            }
            if (request.targetApproxError() != null) {
                path = path.withAdaptiveSteps(o.adaptiveSteps(request.targetApproxError()));
            }
            return create(o, path, inputs);
        } catch (IllegalArgumentException e) {
            // a request's parameters that do not fit the method or the model: the client's to change
            throw new InvalidRequestException(e.getMessage());
        }
    }

    /**
     * The configured method with {@code path} in place of the runtime-wide path options.
     *
     * @throws IllegalArgumentException where {@code path} does not fit the method or the model (see
     *                                  {@link #checkPathOptions}); a request's caller answers it with 400
     * @throws MetadataException        where the model does not fit the method (XRAI without one image input)
     */
    private static Explainer create(MethodOptions options, PathOptions path, List<InputInfo> inputs) {
        checkPathOptions(options.method(), path, inputs);
        return switch (options.method()) {
            case INTEGRATED_GRADIENTS -> new IntegratedGradientsExplainer(path);
            case SAMPLED_SHAPLEY -> new SampledShapleyExplainer(options.paths(), SHAPLEY_SEED);
            case XRAI -> {
                checkXraiInput(inputs);
                yield new XraiExplainer(path, options.xrai());
            }
        };
    }

    /**
     * Refuses SmoothGrad, a blurred start or a target error where they cannot apply: with Sampled Shapley (Vertex
     * has the first two for Integrated Gradients and XRAI only; the third refines path steps), a blur without
     * exactly one image input {@code [height, width(, channels)]}, a per-input noise sigma naming no explained
     * input.
     */
    static void checkPathOptions(AttributionMethod method, PathOptions path, List<InputInfo> inputs) {
        if (method == AttributionMethod.SAMPLED_SHAPLEY
                && (path.smoothGrad().isPresent() || path.blur().isPresent())) {
            throw new IllegalArgumentException("smoothGradConfig (explain.smooth-grad) and blurBaselineConfig "
                    + "(explain.blur-ig) apply to integrated-gradients and xrai, not to sampled-shapley");
        }
        if (method == AttributionMethod.SAMPLED_SHAPLEY && path.adaptiveSteps().isPresent()) {
            // its approx_error is a standard error over permutations: no step count moves it
            throw new IllegalArgumentException("targetApproxError (explain.target-approx-error) refines the path steps"
                    + " of integrated-gradients and xrai, not sampled-shapley");
        }
        path.smoothGrad()
                .ifPresent(
                        s -> s.checkInputs(inputs.stream().map(InputInfo::key).toList()));
        if (path.blur().isPresent()) {
            boolean image = inputs.size() == 1 && inputs.get(0).metadata().isImage();
            long[] shape = image ? inputs.get(0).spec().shape() : null;
            if (!image || (shape != null && (shape.length < 2 || shape.length > 3))) {
                throw new IllegalArgumentException("blurBaselineConfig (explain.blur-ig) blurs one input with "
                        + "modality image and a tensor [batch, height, width(, channels)]; the model explains "
                        + inputs.stream()
                                .map(i -> i.key() + (i.metadata().isImage() ? " (image)" : "") + " "
                                        + i.spec().describeShape())
                                .toList());
            }
        }
    }

    private static void checkXraiInput(List<InputInfo> inputs) {
        if (inputs.size() != 1 || !inputs.get(0).metadata().isImage()) {
            throw new MetadataException("xrai explains one input with modality image; the metadata has "
                    + inputs.stream()
                            .map(i -> i.key() + (i.metadata().isImage() ? " (image)" : ""))
                            .toList());
        }
        long[] shape = inputs.get(0).spec().shape();
        if (shape != null && (shape.length < 2 || shape.length > 3)) {
            throw new MetadataException("xrai needs an image tensor [batch, height, width(, channels)], got "
                    + inputs.get(0).spec().describeShape());
        }
    }
}
