package dev.explainable.serving.runtime.result;

/** Attributions shaped like a tensor: flat row-major values and their shape ({@code []} for a scalar). */
public record TensorAttribution(long[] shape, double[] values) implements InputExplanation {

    @Override
    public TensorAttribution tensor() {
        return this;
    }

    public double sum() {
        double s = 0;
        for (double v : values) {
            s += v;
        }
        return s;
    }
}
