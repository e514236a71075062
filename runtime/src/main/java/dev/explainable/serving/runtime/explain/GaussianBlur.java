package dev.explainable.serving.runtime.explain;

import java.util.Locale;

/**
 * A Gaussian blur of an image {@code [height, width, channels]} (row-major, channels last) over height and width
 * only, as {@code scipy.ndimage.gaussian_filter(image, sigma=[s, s, 0])} computes it (what PAIR saliency's Blur IG
 * uses): one separable pass per axis with scipy's kernel, {@code exp(-x^2 / (2 sigma^2))} for integer
 * {@code |x| <= radius = (int) (4 sigma + 0.5)}, normalized to sum 1 (a radius of 0 leaves the image as it is).
 * Computed in double precision.
 */
public final class GaussianBlur {

    /** What the blur reads beyond the image's edge. */
    public enum Boundary {
        /** Zeros (scipy's {@code mode="constant"}): what PAIR saliency's Blur IG uses; edges darken as sigma grows. */
        ZERO,
        /**
         * The image mirrored about its edge ({@code d c b a | a b c d}, scipy's {@code mode="reflect"}): a constant
         * image stays constant at every sigma.
         */
        REFLECT;

        public static Boundary parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("blur boundary must be zero or reflect, got '" + s + "'");
            }
        }
    }

    /** scipy's truncation: the kernel reaches 4 standard deviations. */
    static final double TRUNCATE = 4.0;

    private GaussianBlur() {}

    /** scipy's kernel radius, {@code int(truncate * sigma + 0.5)}. */
    static int radius(double sigma) {
        return (int) (TRUNCATE * sigma + 0.5);
    }

    /** scipy's {@code _gaussian_kernel1d(sigma, 0, radius)}: taps {@code -radius..radius}, summing to 1. */
    static double[] kernel(double sigma) {
        int radius = radius(sigma);
        if (radius == 0) {
            // one tap, 1; computed, a sigma so small that -0.5 / sigma^2 is -infinity would make it 0 * -inf = NaN
            return new double[] {1.0};
        }
        double[] k = new double[2 * radius + 1];
        double scale = -0.5 / (sigma * sigma);
        double sum = 0;
        for (int i = -radius; i <= radius; i++) {
            double v = Math.exp(scale * ((double) i * i));
            k[i + radius] = v;
            sum += v;
        }
        for (int i = 0; i < k.length; i++) {
            k[i] /= sum;
        }
        return k;
    }

    /**
     * The image blurred with standard deviation {@code sigma} (in pixels) over height and width; {@code sigma} 0
     * returns the image unchanged (as a copy).
     */
    public static double[] blur(float[] image, int h, int w, int c, double sigma, Boundary boundary) {
        check(image.length, h, w, c);
        double[] in = new double[image.length];
        for (int i = 0; i < in.length; i++) {
            in[i] = image[i];
        }
        return blur(in, h, w, c, sigma, boundary);
    }

    /** As {@link #blur(float[], int, int, int, double, Boundary)}, on double values ({@code image} is not changed). */
    public static double[] blur(double[] image, int h, int w, int c, double sigma, Boundary boundary) {
        check(image.length, h, w, c);
        if (!(sigma >= 0) || Double.isInfinite(sigma)) {
            throw new IllegalArgumentException("blur sigma must be finite and >= 0, got " + sigma);
        }
        if (sigma == 0) {
            return image.clone();
        }
        double[] k = kernel(sigma);
        // Along height: line (x, ch) has stride w * c; along width: line (y, ch) has stride c.
        double[] rows = new double[image.length];
        Axis height = new Axis(k, h, boundary);
        for (int x = 0; x < w; x++) {
            for (int ch = 0; ch < c; ch++) {
                height.apply(image, rows, x * c + ch, w * c);
            }
        }
        double[] out = new double[image.length];
        Axis width = new Axis(k, w, boundary);
        for (int y = 0; y < h; y++) {
            for (int ch = 0; ch < c; ch++) {
                width.apply(rows, out, y * w * c + ch, c);
            }
        }
        return out;
    }

    /**
     * The multiply-adds {@link #blur} spends on an image {@code [h, w, c]} at {@code sigma}: one pass along each
     * axis, each of its lines costing {@link #lineMultiplyAdds}. What the work bound counts for Blur IG.
     */
    public static long multiplyAdds(int h, int w, int c, double sigma, Boundary boundary) {
        if (sigma == 0) {
            return 0; // a copy
        }
        int radius = radius(sigma);
        return (long) w * c * lineMultiplyAdds(h, radius, boundary)
                + (long) h * c * lineMultiplyAdds(w, radius, boundary);
    }

    /**
     * The products one line of {@code n} values takes with a kernel of {@code radius}, as {@link Axis} computes
     * them. ZERO reads only the taps that land inside the line: output {@code p} reads {@code max(0, p - radius)..
     * min(n - 1, p + radius)}, which sums to {@code n (2 radius + 1) - radius (radius + 1)}, and to {@code n^2} once
     * the kernel spans the line whatever the sigma. REFLECT reads every tap, folded onto at most {@code 2n}.
     */
    static long lineMultiplyAdds(int n, int radius, Boundary boundary) {
        long taps = 2L * radius + 1;
        if (boundary == Boundary.REFLECT) {
            return n * Math.min(taps, 2L * n);
        }
        return radius >= n ? (long) n * n : n * taps - (long) radius * (radius + 1);
    }

    private static void check(int length, int h, int w, int c) {
        if (h < 1 || w < 1 || c < 1 || (long) h * w * c != length) {
            throw new IllegalArgumentException(
                    "an image [" + h + ", " + w + ", " + c + "] does not have " + length + " values");
        }
    }

    /**
     * One axis of length n: {@code out[p] = sum_t taps[t] * in[p + t - offset]}, the index read past the edge as
     * zero (ZERO) or mirrored (REFLECT). Under REFLECT a kernel wider than the mirror's period 2n is first folded
     * onto it, so a line costs at most {@code n * 2n} products whatever the sigma.
     */
    private static final class Axis {
        private final double[] taps;
        private final int offset;
        private final int n;
        private final boolean reflect;
        private final double[] line;

        Axis(double[] kernel, int n, Boundary boundary) {
            this.n = n;
            this.reflect = boundary == Boundary.REFLECT;
            this.line = new double[n];
            int radius = kernel.length / 2;
            if (reflect && kernel.length > 2 * n) {
                // reflect(i) has period 2n: tap i adds to folded tap (i mod 2n), read at p + (i mod 2n).
                double[] folded = new double[2 * n];
                for (int i = -radius; i <= radius; i++) {
                    folded[Math.floorMod(i, 2 * n)] += kernel[i + radius];
                }
                this.taps = folded;
                this.offset = 0;
            } else {
                this.taps = kernel;
                this.offset = radius;
            }
        }

        void apply(double[] in, double[] out, int start, int stride) {
            for (int p = 0; p < n; p++) {
                line[p] = in[start + p * stride];
            }
            for (int p = 0; p < n; p++) {
                double s = 0;
                if (reflect) {
                    for (int t = 0; t < taps.length; t++) {
                        s += taps[t] * line[mirror(p + t - offset)];
                    }
                } else {
                    int from = Math.max(0, offset - p);
                    int to = Math.min(taps.length, n + offset - p);
                    for (int t = from; t < to; t++) {
                        s += taps[t] * line[p + t - offset];
                    }
                }
                out[start + p * stride] = s;
            }
        }

        private int mirror(int i) {
            int m = Math.floorMod(i, 2 * n);
            return m < n ? m : 2 * n - 1 - m;
        }
    }
}
