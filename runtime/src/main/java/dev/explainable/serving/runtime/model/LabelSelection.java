package dev.explainable.serving.runtime.model;

import java.util.List;

/**
 * Which labels of a vector output are explained: the {@code topK} highest-scoring (AI Platform explains the top one;
 * Vertex's {@code topK}, -1 for all), or the given {@code indices} (Vertex's {@code outputIndices}, each label once:
 * the request's options refuse a repeated one).
 */
public record LabelSelection(int topK, List<Integer> indices) {

    /** AI Platform's behaviour: the top class only. */
    public static final LabelSelection TOP = new LabelSelection(1, null);

    public LabelSelection {
        if (topK == 0 || topK < -1) {
            throw new IllegalArgumentException("topK must be positive or -1 (all), got " + topK);
        }
        indices = indices == null ? null : List.copyOf(indices);
    }

    /** How many labels this picks of an output of {@code labels} values: the indices, or the top {@code topK} of them. */
    public int count(int labels) {
        if (indices != null) {
            return indices.size();
        }
        return topK < 0 ? labels : Math.min(topK, labels);
    }
}
