package dev.explainable.serving.runtime.service;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.explainable.serving.runtime.explain.AdaptiveSteps;
import dev.explainable.serving.runtime.model.LabelSelection;
import dev.explainable.serving.runtime.work.InvalidRequestException;

/**
 * What one request may change about its explanation, within bounds: the visualization of image inputs, the path
 * steps or permutations of the configured method, a target error for the steps, the baselines of named inputs, and
 * which labels are explained.
 * Null fields keep the model's configuration.
 *
 * @param visualization keys of a metadata {@code visualization}, merged over each image input's
 * @param stepCount     Integrated Gradients / XRAI path steps, 1 to {@link #MAX_STEPS} (Vertex's bound)
 * @param pathCount     Sampled Shapley permutations, 1 to {@link #MAX_PATHS} (Vertex's bound)
 * @param baselines     per input name, baselines replacing the metadata's (at most 10 each; numbers finite in
 *                      float32, as an instance's)
 * @param topK          how many of a vector output's labels are explained, by score (1: AI Platform's top class;
 *                      -1: all)
 * @param outputIndices the labels to explain instead, each once, or null
 * @param smoothGrad    Vertex's {@code smoothGradConfig} for this request, or null
 * @param maxBlurSigma  Vertex's {@code blurBaselineConfig.maxBlurSigma} for this request, or null
 * @param targetApproxError the {@code approx_error} to refine the steps towards, {@link AdaptiveSteps#MIN_TARGET}
 *                      to {@link AdaptiveSteps#MAX_TARGET} (this project's extension, no Google field), or null
 */
public record ExplainOptions(
        Map<String, Object> visualization,
        Integer stepCount,
        Integer pathCount,
        Map<String, List<Object>> baselines,
        int topK,
        List<Integer> outputIndices,
        SmoothGrad smoothGrad,
        Double maxBlurSigma,
        Double targetApproxError) {

    /** Vertex's {@code smoothGradConfig} as the request gives it: each field null when absent. */
    public record SmoothGrad(Integer noisySampleCount, Double noiseSigma, Map<String, Double> featureNoiseSigma) {}

    public static final int MAX_STEPS = 100;
    public static final int MAX_PATHS = 50;
    public static final int MAX_BASELINES = 10;
    public static final ExplainOptions NONE = new ExplainOptions(null, null, null, null, 1, null, null, null, null);

    public ExplainOptions {
        if (stepCount != null && (stepCount < 1 || stepCount > MAX_STEPS)) {
            throw new InvalidRequestException("stepCount must be between 1 and " + MAX_STEPS + ", got " + stepCount);
        }
        if (targetApproxError != null
                && !(targetApproxError >= AdaptiveSteps.MIN_TARGET && targetApproxError <= AdaptiveSteps.MAX_TARGET)) {
            throw new InvalidRequestException("targetApproxError must be between " + AdaptiveSteps.MIN_TARGET + " and "
                    + AdaptiveSteps.MAX_TARGET + ", got " + targetApproxError);
        }
        if (pathCount != null && (pathCount < 1 || pathCount > MAX_PATHS)) {
            throw new InvalidRequestException("pathCount must be between 1 and " + MAX_PATHS + ", got " + pathCount);
        }
        if (baselines != null) {
            baselines.forEach((input, list) -> {
                if (list == null || list.isEmpty() || list.size() > MAX_BASELINES) {
                    throw new InvalidRequestException(
                            "inputBaselines of input '" + input + "' must hold 1 to " + MAX_BASELINES + " baselines");
                }
                list.forEach(b -> checkNumeric(input, b));
            });
            baselines = Map.copyOf(baselines);
        }
        if (topK == 0 || topK < -1) {
            throw new InvalidRequestException("topK must be positive, or -1 for every label; got " + topK);
        }
        if (outputIndices != null && outputIndices.isEmpty()) {
            throw new InvalidRequestException("outputIndices must name at least one label");
        }
        if (outputIndices != null) {
            // a label named again would be explained again: work multiplied for nothing new
            Set<Integer> seen = new HashSet<>();
            for (Integer i : outputIndices) {
                if (!seen.add(i)) {
                    throw new InvalidRequestException(
                            "outputIndices names label " + i + " more than once; name each label once");
                }
            }
        }
        outputIndices = outputIndices == null ? null : List.copyOf(outputIndices);
    }

    /** Which labels are explained. */
    LabelSelection labels() {
        return new LabelSelection(topK, outputIndices);
    }

    /** Only the visualization differs from the configuration (the AI Platform page's extension). */
    public static ExplainOptions visualization(Map<String, Object> visualization) {
        return new ExplainOptions(visualization, null, null, null, 1, null, null, null, null);
    }

    /** The same options with a target {@code approx_error} ({@code null}: none). */
    public ExplainOptions withTargetApproxError(Double target) {
        return new ExplainOptions(
                visualization, stepCount, pathCount, baselines, topK, outputIndices, smoothGrad, maxBlurSigma, target);
    }

    /** Numbers as an instance's are (every explained value is float32), or nested lists of them. */
    private static void checkNumeric(String input, Object b) {
        if (b instanceof List<?> l) {
            l.forEach(e -> checkNumeric(input, e));
        } else if (!(b instanceof Number n)) {
            throw new InvalidRequestException(
                    "inputBaselines of input '" + input + "' must be numbers or nested lists of numbers");
        } else if (!Float.isFinite(n.floatValue())) {
            throw new InvalidRequestException(
                    "inputBaselines of input '" + input + "': value " + n + " is out of float32 range");
        }
    }
}
