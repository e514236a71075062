package dev.explainable.serving.runtime.explain;

import java.util.List;

/**
 * A method's answer for one explained output: attributions per input, the scores at the baseline and at the
 * instance, and the method's error estimate ({@code approx_error}; null where undefined).
 */
public record Attribution(
        List<InputAttribution> inputs, double baselineScore, double exampleScore, Double approxError) {

    public Attribution {
        inputs = List.copyOf(inputs);
    }

    public double sum() {
        return inputs.stream().mapToDouble(InputAttribution::sum).sum();
    }
}
