package dev.explainable.serving.runtime.tensor;

import java.util.Arrays;

/**
 * What one model input expects per instance: dtype and shape WITHOUT the batch dimension
 * ({@code -1} for a free dimension, {@code null} when even the rank is unknown).
 */
public record TensorSpec(String key, String tensorName, DType dtype, long[] shape) {

    public boolean accepts(long[] actual) {
        if (shape == null) {
            return true;
        }
        if (actual.length != shape.length) {
            return false;
        }
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] >= 0 && shape[i] != actual[i]) {
                return false;
            }
        }
        return true;
    }

    public String describeShape() {
        return shape == null ? "any shape" : Arrays.toString(shape).replace("-1", "None");
    }
}
