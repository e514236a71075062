package dev.explainable.serving.runtime.explain;

import java.util.ArrayList;
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
     * The scores of several calls' points ({@code points.get(c)}, {@code n[c]} of them), in call order: what
     * {@link #at} gives for each, but a model may run up to {@link #concurrentCalls()} of them at once. A function
     * that wraps another and does its own work in {@code at} must route this through its own {@code at} too.
     */
    default List<Scores> atEach(List<List<float[]>> points, int[] n, boolean withGradients) {
        List<Scores> out = new ArrayList<>(points.size());
        for (int c = 0; c < points.size(); c++) {
            out.add(at(points.get(c), n[c], withGradients));
        }
        return out;
    }

    /**
     * How many calls {@link #atEach} runs at once to advantage: 1 where they run one after another. Why a method
     * needs to know: the points of one explanation that do not fit one call are split into calls of equal size
     * and handed in this many at a time, so that one request can keep as many runs going as the model allows.
     */
    default int concurrentCalls() {
        return 1;
    }

    /**
     * @param values    the score at each point
     * @param gradients with gradients: per explained input, the n gradients flattened like the points; otherwise
     *                  empty
     */
    record Scores(float[] values, float[][] gradients) {}
}
