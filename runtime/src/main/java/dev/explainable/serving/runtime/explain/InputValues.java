package dev.explainable.serving.runtime.explain;

/**
 * One explained input of an instance: the values attributions are computed for, with their shape (without the
 * batch dimension). Inputs sharing a {@code group} (the metadata's {@code group_name}) act as one feature where a
 * method perturbs features (Sampled Shapley).
 */
public record InputValues(String name, long[] shape, float[] values, String group) {

    public int size() {
        return values.length;
    }
}
