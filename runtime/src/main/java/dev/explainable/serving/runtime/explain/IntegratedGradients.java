package dev.explainable.serving.runtime.explain;

/**
 * The math of Integrated Gradients (Sundararajan et al., 2017), free of TensorFlow:
 * {@code IG_i = (x_i - b_i) * integral_0^1 dF/dx_i(b + a (x - b)) da}: the points of the straight path, the
 * attributions from the averaged gradient, and {@code approx_error}. The integral's points and weights are
 * {@link IntegrationRule}'s (by default the trapezoid rule over {@code steps} intervals, exact for paths along which
 * the gradient changes linearly, its error falling as 1/steps^2 instead of the 1/steps of a left/right Riemann sum,
 * which keeps {@code approx_error} small at AI Platform's default of 50 steps); {@link StraightPath} and
 * {@link PathAttributions} put them together.
 */
public final class IntegratedGradients {

    private IntegratedGradients() {}

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
