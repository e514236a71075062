package dev.explainable.serving.runtime.explain;

import java.util.List;

/**
 * The model as an attribution method sees it (PAIR saliency's {@code call_model_function}): the explained score
 * of one instance's chosen output at a batch of points in the explained inputs' space, and where asked its
 * gradient with respect to each explained input.
 */
public interface ScoreFunction {

    /**
     * Scores at {@code n} points.
     *
     * @param points per explained input (in {@link ExplainedInstance#inputs()} order), the n points flattened
     *               row-major ({@code n x} the input's size)
     * @param n      how many points; at most {@link #maxPointsPerCall()}
     */
    Scores at(List<float[]> points, int n, boolean withGradients);

    /** Most points one call may take (the batch size, fewer for large inputs). */
    int maxPointsPerCall();

    /**
     * @param values    the score at each point
     * @param gradients with gradients: per explained input, the n gradients flattened like the points; otherwise
     *                  empty
     */
    record Scores(float[] values, float[][] gradients) {}
}
