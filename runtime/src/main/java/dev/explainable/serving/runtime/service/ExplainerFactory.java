package dev.explainable.serving.runtime.service;

import java.util.List;

import dev.explainable.serving.runtime.config.RuntimeOptions;
import dev.explainable.serving.runtime.explain.Explainer;
import dev.explainable.serving.runtime.explain.IntegratedGradientsExplainer;
import dev.explainable.serving.runtime.explain.SampledShapleyExplainer;
import dev.explainable.serving.runtime.explain.XraiExplainer;
import dev.explainable.serving.runtime.metadata.MetadataException;
import dev.explainable.serving.runtime.model.ServingModel;
import dev.explainable.serving.runtime.model.ServingModel.ExplainedInput;

/** The attribution method chosen once, at load: the configured method, checked against the model's inputs. */
final class ExplainerFactory {

    /** Sampled Shapley's permutations are drawn from a fixed seed: the same request gets the same answer. */
    static final long SHAPLEY_SEED = 0L;

    private ExplainerFactory() {}

    static Explainer create(RuntimeOptions options, ServingModel model) {
        return switch (options.method()) {
            case INTEGRATED_GRADIENTS ->
                new IntegratedGradientsExplainer(options.integralSteps(), options.integrationRule());
            case SAMPLED_SHAPLEY -> new SampledShapleyExplainer(options.paths(), SHAPLEY_SEED);
            case XRAI -> {
                checkXraiInput(model.explainedInputs());
                yield new XraiExplainer(options.integralSteps(), options.integrationRule(), options.xrai());
            }
        };
    }

    private static void checkXraiInput(List<ExplainedInput> inputs) {
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
