package dev.explainable.serving.runtime.explain;

import java.util.SplittableRandom;

/**
 * The math of Sampled Shapley (Strumbelj and Kononenko, 2014), free of TensorFlow: each sampled permutation of
 * the players adds them one by one from the baseline to the instance; a player is credited with the change of
 * the score it causes. The average over permutations estimates its Shapley value; the sum over players always
 * equals {@code f(x) - f(baseline)} (the credits telescope).
 */
public final class SampledShapley {

    private SampledShapley() {}

    /** A uniformly random permutation of {@code 0..n-1} (Fisher-Yates). */
    public static int[] permutation(int n, SplittableRandom random) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /**
     * Credits of one path: {@code scores[j]} is the score after the first {@code j} players of {@code order} were
     * switched to the instance ({@code scores[0]} at the baseline).
     */
    public static double[] credits(int[] order, float[] scores) {
        double[] c = new double[order.length];
        for (int j = 0; j < order.length; j++) {
            c[order[j]] = (double) scores[j + 1] - scores[j];
        }
        return c;
    }

    /**
     * The reported {@code approx_error} (AI Platform's formula for Sampled Shapley is not public): the standard
     * error of the estimated attribution vector, {@code sqrt(sum_i var_i / paths)}, relative to
     * {@code |f(x) - f(baseline)|}. Undefined (null) for a single path. Zero for additive models, where every
     * permutation credits a player identically.
     */
    public static Double approxError(double[] sum, double[] sumOfSquares, int paths, double delta) {
        if (paths < 2) {
            return null;
        }
        double total = 0;
        for (int i = 0; i < sum.length; i++) {
            double mean = sum[i] / paths;
            double variance = Math.max(0, (sumOfSquares[i] - paths * mean * mean) / (paths - 1));
            total += variance / paths;
        }
        double stderr = Math.sqrt(total);
        return Math.abs(delta) < 1e-12 ? stderr : stderr / Math.abs(delta);
    }
}
