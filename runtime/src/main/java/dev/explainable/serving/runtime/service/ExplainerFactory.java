package dev.explainable.serving.runtime.service;

import java.util.List;

import dev.explainable.serving.contract.AttributionMethod;
import dev.explainable.serving.runtime.config.RuntimeOptions;
import dev.explainable.serving.runtime.explain.Explainer;
import dev.explainable.serving.runtime.explain.IntegratedGradientsExplainer;
import dev.explainable.serving.runtime.explain.PathOptions;
import dev.explainable.serving.runtime.explain.SampledShapleyExplainer;
import dev.explainable.serving.runtime.explain.XraiExplainer;
import dev.explainable.serving.runtime.metadata.MetadataException;
import dev.explainable.serving.runtime.model.InputInfo;

/**
 * The attribution method chosen once, at load: the configured method, checked against the model's inputs.
 * Integrated Gradients and XRAI integrate along {@link PathOptions} (steps, rule, SmoothGrad, blurred start): the
 * runtime-wide ones from the settings, or a request's, derived from them with {@code PathOptions.with*}, checked
 * with {@link #checkPathOptions} and built with {@link #create(RuntimeOptions, PathOptions, List)}
 * (explainers are small immutable objects: building one per request costs nothing).
 */
final class ExplainerFactory {

    /** Sampled Shapley's permutations are drawn from a fixed seed: the same request gets the same answer. */
    static final long SHAPLEY_SEED = 0L;

    private ExplainerFactory() {}

    static Explainer create(RuntimeOptions options, List<InputInfo> inputs) {
        try {
            return create(options, options.pathOptions(), inputs);
        } catch (IllegalArgumentException e) {
            throw new MetadataException(e.getMessage());
        }
    }

    /**
     * The configured method with {@code path} in place of the runtime-wide path options.
     *
     * @throws IllegalArgumentException where {@code path} does not fit the method or the model (see
     *                                  {@link #checkPathOptions}); a request's caller answers it with 400
     * @throws MetadataException        where the model does not fit the method (XRAI without one image input)
     */
    static Explainer create(RuntimeOptions options, PathOptions path, List<InputInfo> inputs) {
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
