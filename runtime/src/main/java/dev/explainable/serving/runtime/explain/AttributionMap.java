package dev.explainable.serving.runtime.explain;

import com.fasterxml.jackson.annotation.JsonValue;

import dev.explainable.serving.runtime.tensor.HostTensor;

/** Attributions for one input, shaped like the input tensor; serialized as nested lists (a number for a scalar). */
public record AttributionMap(double[] values, long[] shape) {

    @JsonValue
    public Object json() {
        return HostTensor.nestedDoubles(values, shape);
    }

    public double sum() {
        double s = 0;
        for (double v : values) {
            s += v;
        }
        return s;
    }
}
