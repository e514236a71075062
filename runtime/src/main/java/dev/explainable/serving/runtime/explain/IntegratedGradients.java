package dev.explainable.serving.runtime.explain;

/**
 * The math of Integrated Gradients (Sundararajan et al., 2017), free of TensorFlow:
 * {@code IG_i = (x_i - b_i) * integral_0^1 dF/dx_i(b + a (x - b)) da}, the integral taken with the trapezoid
 * rule over {@code steps} intervals ({@code steps + 1} points, both ends included). The trapezoid rule is exact
 * for paths along which the gradient changes linearly, and its error falls as 1/steps^2 instead of the 1/steps
 * of a left/right Riemann sum, which keeps {@code approx_error} small at AI Platform's default of 50 steps.
 */
public final class IntegratedGradients {

    private IntegratedGradients() {}

    /** Number of model evaluations per baseline. */
    public static int points(int steps) {
        return IntegrationRule.TRAPEZOID.points(steps);
    }

    /** Position of point {@code j} along the straight path from the baseline (0) to the input (1). */
    public static double alpha(int j, int steps) {
        return IntegrationRule.TRAPEZOID.alpha(j, steps);
    }

    /** Trapezoid weight of point {@code j}; the weights sum to 1. */
    public static double weight(int j, int steps) {
        return IntegrationRule.TRAPEZOID.weight(j, steps);
    }

    /** {@code baseline + alpha (x - baseline)}, written into {@code out} at {@code offset}. */
    public static void interpolate(float[] baseline, float[] x, double alpha, float[] out, int offset) {
        for (int i = 0; i < x.length; i++) {
            out[offset + i] = (float) (baseline[i] + alpha * (x[i] - baseline[i]));
        }
    }

    /** Attributions from the weighted gradient average along the path. */
    public static double[] attributions(float[] x, float[] baseline, double[] averageGradient) {
        double[] a = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            a[i] = ((double) x[i] - baseline[i]) * averageGradient[i];
        }
        return a;
    }

    /**
     * AI Platform's {@code approx_error}: the relative completeness gap
     * {@code |sum(attributions) - (example - baseline)| / |example - baseline|}. When the two scores coincide the
     * gap is reported absolute, as a relative value would divide by zero.
     */
    public static double approxError(double attributionSum, double exampleScore, double baselineScore) {
        double delta = exampleScore - baselineScore;
        double gap = Math.abs(attributionSum - delta);
        return Math.abs(delta) < 1e-12 ? gap : gap / Math.abs(delta);
    }
}
