package dev.explainable.serving.runtime.explain;

/**
 * One explained input of an instance: the values attributions are computed for, with their shape (without the
 * batch dimension). Where a method perturbs features (Sampled Shapley), a feature is {@code featureWidth}
 * consecutive values (a token's embedding under concat_embedding; 1 for plain inputs), and inputs sharing a
 * {@code group} (the metadata's {@code group_name}) act as one feature.
 */
public record InputValues(String name, long[] shape, float[] values, String group, int featureWidth) {

    public InputValues {
        if (featureWidth < 1 || values.length % featureWidth != 0) {
            throw new IllegalArgumentException(
                    "input " + name + ": " + values.length + " values do not split into features of " + featureWidth);
        }
    }

    /** An input whose every value is a feature. */
    public InputValues(String name, long[] shape, float[] values, String group) {
        this(name, shape, values, group, 1);
    }

    public int size() {
        return values.length;
    }
}
