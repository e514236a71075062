package dev.explainable.serving.runtime.explain;

import java.util.List;

/**
 * A method's answer for one explained output: attributions per input, the scores at the baseline and at the
 * instance, the method's error estimate ({@code approx_error}; null where undefined) and, where the path integral
 * was refined towards a target error ({@link AdaptiveSteps}), the steps it reached (null otherwise).
 */
public record Attribution(
        List<InputAttribution> inputs,
        double baselineScore,
        double exampleScore,
        Double approxError,
        Integer integralSteps) {

    public Attribution {
        inputs = List.copyOf(inputs);
    }

    /** An answer with no refined steps to report. */
    public Attribution(List<InputAttribution> inputs, double baselineScore, double exampleScore, Double approxError) {
        this(inputs, baselineScore, exampleScore, approxError, null);
    }

    /**
     * What of this answer is not a finite number, or null when all is: NaN or infinity, where the model's scores or
     * gradients overflowed. Such numbers explain nothing, and JSON has none.
     */
    public String nonFinite() {
        if (!Double.isFinite(exampleScore)) {
            return "the instance's score";
        }
        if (!Double.isFinite(baselineScore)) {
            return "the baseline's score";
        }
        for (InputAttribution a : inputs) {
            for (double v : a.values()) {
                if (!Double.isFinite(v)) {
                    return "the attributions of input '" + a.input() + "'";
                }
            }
        }
        return approxError != null && !Double.isFinite(approxError) ? "approx_error" : null;
    }

    public double sum() {
        return inputs.stream().mapToDouble(InputAttribution::sum).sum();
    }
}
