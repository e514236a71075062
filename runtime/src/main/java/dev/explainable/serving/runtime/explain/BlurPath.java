package dev.explainable.serving.runtime.explain;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.explainable.serving.runtime.work.RequestDeadline;

/**
 * Paths from the image blurred with {@code maxBlurSigma} to the image, for one image input
 * {@code [height, width(, channels)]}; the baselines play no part.
 *
 * <p>{@link BlurConfig.Path#BLUR}: Blur IG (Xu et al., CVPR 2020) as PAIR saliency's {@code BlurIG} computes it.
 * The points are the image blurred with {@code sigma_j = j * maxBlurSigma / steps}, {@code j = 0..steps} (point 0
 * is the image, point {@code steps} the most blurred), the blur's derivative by sigma is the forward difference
 * {@code (blur(sigma_j + 0.01) - blur(sigma_j)) / 0.01} (saliency's {@code grad_step}), and
 * {@code attribution = -sum_j W_j * dBlur/dsigma(sigma_j) * dF/dx(blur(sigma_j))}, which sums to about
 * {@code F(image) - F(most blurred)}. The weights follow the {@link IntegrationRule}: {@code uniform} is saliency's
 * left sum ({@code W_j = sigma_(j+1) - sigma_j} for {@code j < steps}, the last point only gives the start's score),
 * {@code trapezoid} the trapezoid rule over the same {@code steps + 1} points; {@code midpoint} (a refinement's new
 * points, see {@link StepDoubling}) the {@code steps} blurs halfway between those, {@code sigma = (j + 1/2) *
 * maxBlurSigma / steps}, each weighted {@code maxBlurSigma / steps}.
 *
 * <p>{@link BlurConfig.Path#STRAIGHT}: Integrated Gradients on the straight line from the most blurred image.
 */
public final class BlurPath implements GradientPath {

    /** saliency's {@code grad_step}: the sigma difference of the blur's derivative. */
    static final double GRAD_STEP = 0.01;

    private final int steps;
    private final IntegrationRule rule;
    private final BlurConfig config;

    public BlurPath(int steps, IntegrationRule rule, BlurConfig config) {
        if (steps < 1) {
            throw new IllegalArgumentException("integral steps must be >= 1, got " + steps);
        }
        this.steps = steps;
        this.rule = rule;
        this.config = config;
    }

    @Override
    public List<PathIntegral> paths(List<InputValues> inputs, List<List<float[]>> baselineSets) {
        InputValues image = image(inputs);
        long[] shape = image.shape();
        int h = (int) shape[0];
        int w = (int) shape[1];
        int c = shape.length == 3 ? (int) shape[2] : 1;
        if (config.path() == BlurConfig.Path.STRAIGHT) {
            float[] start =
                    floats(GaussianBlur.blur(image.values(), h, w, c, config.maxBlurSigma(), config.boundary()));
            return List.of(new StraightPath.Line(List.of(image.values()), List.of(start), steps, rule, null, false));
        }
        return List.of(new Blurs(image.values(), h, w, c));
    }

    @Override
    public int pathCount(List<InputValues> inputs, int baselineSets) {
        return 1;
    }

    @Override
    public int pointsPerPath() {
        return config.path() == BlurConfig.Path.STRAIGHT ? rule.points(steps) : blurPoints();
    }

    /** Points of the blur path: both ends and the steps between, or only the midpoints. */
    private int blurPoints() {
        return rule == IntegrationRule.MIDPOINT ? steps : steps + 1;
    }

    /** The blur path's point at its start (the most blurred image), or -1 for the midpoints. */
    private int startIndex() {
        return rule == IntegrationRule.MIDPOINT ? -1 : steps;
    }

    /** The blur path's point at its end (the image), or -1 for the midpoints. */
    private int endIndex() {
        return rule == IntegrationRule.MIDPOINT ? -1 : 0;
    }

    /** The straight path's start: the image blurred with maxBlurSigma, once per call of {@link #paths}. */
    @Override
    public long setupMultiplyAdds(List<InputValues> inputs) {
        return config.path() == BlurConfig.Path.STRAIGHT ? blurMultiplyAdds(image(inputs), config.maxBlurSigma()) : 0;
    }

    /** Blur IG's blurs: at sigma_j for point j, and at sigma_j + GRAD_STEP where the point has a weight. */
    @Override
    public long pathMultiplyAdds(List<InputValues> inputs, boolean endsOnly) {
        if (config.path() == BlurConfig.Path.STRAIGHT) {
            return 0;
        }
        InputValues image = image(inputs);
        long total = 0;
        for (int j = 0; j < blurPoints(); j++) {
            if (!endsOnly || j == startIndex() || j == endIndex()) {
                total += blurMultiplyAdds(image, sigma(j));
                total += weight(j) != 0 ? blurMultiplyAdds(image, sigma(j) + GRAD_STEP) : 0;
            }
        }
        return total;
    }

    private long blurMultiplyAdds(InputValues image, double sigma) {
        long[] shape = image.shape();
        int c = shape.length == 3 ? (int) shape[2] : 1;
        return GaussianBlur.multiplyAdds((int) shape[0], (int) shape[1], c, sigma, config.boundary());
    }

    /** The one explained input, an image [height, width(, channels)]. */
    static InputValues image(List<InputValues> inputs) {
        if (inputs.size() != 1) {
            throw new IllegalArgumentException("a blurred baseline needs one image input, got " + inputs.size());
        }
        long[] shape = inputs.get(0).shape();
        if (shape.length < 2 || shape.length > 3) {
            throw new IllegalArgumentException(
                    "a blurred baseline needs an image [height, width(, channels)], got " + Arrays.toString(shape));
        }
        return inputs.get(0);
    }

    static float[] floats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    /** sigma_j as saliency computes it: {@code float(j) * max_sigma / float(steps)}; midway for the midpoints. */
    double sigma(int j) {
        double at = rule == IntegrationRule.MIDPOINT ? j + 0.5 : j;
        return at * config.maxBlurSigma() / steps;
    }

    /** The weight of point j in sigma units. */
    double weight(int j) {
        if (rule == IntegrationRule.UNIFORM) {
            return j < steps ? sigma(j + 1) - sigma(j) : 0;
        }
        if (rule == IntegrationRule.MIDPOINT) {
            return config.maxBlurSigma() / steps;
        }
        return (j == 0 || j == steps ? 0.5 : 1.0) * config.maxBlurSigma() / steps;
    }

    private final class Blurs implements PathIntegral {
        private final float[] x;
        private final int h;
        private final int w;
        private final int c;
        /** Allocated when first needed: paths wait in a queue. */
        private double[] acc;
        /** The blur's derivative at points written and not yet accepted. */
        private final Map<Integer, double[]> derivatives = new HashMap<>();

        Blurs(float[] x, int h, int w, int c) {
            this.x = x;
            this.h = h;
            this.w = w;
            this.c = c;
        }

        @Override
        public int points() {
            return blurPoints();
        }

        @Override
        public int startIndex() {
            return BlurPath.this.startIndex();
        }

        @Override
        public int endIndex() {
            return BlurPath.this.endIndex();
        }

        @Override
        public void point(int j, List<float[]> batch, int slot) {
            // two blurs per point can take a second of a core on a large image: the deadline is checked here too,
            // not only between TensorFlow runs
            RequestDeadline.checkCurrent();
            double sigma = sigma(j);
            double[] blurred = GaussianBlur.blur(x, h, w, c, sigma, config.boundary());
            float[] out = batch.get(0);
            int off = slot * x.length;
            for (int e = 0; e < x.length; e++) {
                out[off + e] = (float) blurred[e];
            }
            if (weight(j) != 0) {
                double[] d = GaussianBlur.blur(x, h, w, c, sigma + GRAD_STEP, config.boundary());
                for (int e = 0; e < d.length; e++) {
                    d[e] = (d[e] - blurred[e]) / GRAD_STEP;
                }
                derivatives.put(j, d);
            }
        }

        @Override
        public void accept(int j, float[][] gradients, int slot) {
            double[] d = derivatives.remove(j);
            if (d == null) {
                return; // a zero weight
            }
            if (acc == null) {
                acc = new double[x.length];
            }
            double wj = weight(j);
            float[] g = gradients[0];
            int off = slot * x.length;
            for (int e = 0; e < x.length; e++) {
                acc[e] += wj * d[e] * g[off + e];
            }
        }

        @Override
        public PathIntegral fresh() {
            return new Blurs(x, h, w, c);
        }

        @Override
        public List<double[]> attributions() {
            double[] a = new double[x.length];
            for (int e = 0; acc != null && e < a.length; e++) {
                a[e] = -acc[e];
            }
            return List.of(a);
        }
    }
}
