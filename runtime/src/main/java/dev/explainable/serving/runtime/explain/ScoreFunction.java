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
    record Scores(float[] values, float[][] gradients) {

        /** The scores of {@code a}'s points followed by {@code b}'s. */
        public static Scores concat(Scores a, Scores b) {
            float[][] gradients = new float[a.gradients.length][];
            for (int i = 0; i < gradients.length; i++) {
                gradients[i] = concat(a.gradients[i], b.gradients[i]);
            }
            return new Scores(concat(a.values, b.values), gradients);
        }

        private static float[] concat(float[] a, float[] b) {
            float[] c = java.util.Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, c, a.length, b.length);
            return c;
        }
    }
}
