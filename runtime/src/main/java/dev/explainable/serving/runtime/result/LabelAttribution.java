package dev.explainable.serving.runtime.result;

import java.util.Map;

/**
 * The explanation of one output of an instance (AI Platform's {@code attributions_by_label} entry): the label
 * explained ({@code labelIndex} -1 for a scalar output; {@code labelName} null where the metadata maps none), the
 * scores at the baseline and the instance, the method's error estimate (null where undefined), the path steps a
 * refinement towards a target error reached (null without a target) and the attributions per explained input, in
 * input order.
 */
public record LabelAttribution(
        String outputName,
        int labelIndex,
        String labelName,
        double baselineScore,
        double exampleScore,
        Double approxError,
        Integer integralSteps,
        Map<String, InputExplanation> attributions) {

    public LabelAttribution {
        attributions = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(attributions));
    }
}
