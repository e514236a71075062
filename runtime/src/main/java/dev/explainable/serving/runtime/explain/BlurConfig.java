package dev.explainable.serving.runtime.explain;

import java.util.Locale;

/**
 * Vertex AI's {@code blurBaselineConfig}: attribute along blurs of the image, from the image blurred with
 * {@code maxBlurSigma} (pixels, over height and width) to the image itself (see {@link BlurPath}). Checked here:
 * {@code maxBlurSigma} finite, {@code > 0} and at most {@value #MAX_BLUR_SIGMA} (Vertex documents no upper bound;
 * this one bounds the blur's cost, and a sigma beyond the image's size gains nothing).
 *
 * @param maxBlurSigma the blur at the path's start
 * @param path         along which path: the blur path of Blur IG (default) or a straight line from the blurred image
 * @param boundary     what the blur reads past the image's edges (default ZERO: PAIR saliency's)
 */
public record BlurConfig(double maxBlurSigma, Path path, GaussianBlur.Boundary boundary) {

    public static final double MAX_BLUR_SIGMA = 1000;

    /** The path from the blurred image to the image. */
    public enum Path {
        /**
         * Blur IG (Xu et al., CVPR 2020) as PAIR saliency's {@code BlurIG} computes it: the points are the image
         * blurred with sigma falling from {@code maxBlurSigma} to 0; the path's direction is the blur's derivative
         * by sigma.
         */
        BLUR,
        /**
         * Integrated Gradients on the straight line from the blurred image (as a baseline) to the image: how
         * Vertex's reference documentation words {@code blurBaselineConfig}.
         */
        STRAIGHT;

        public static Path parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("the blur path must be blur or straight, got '" + s + "'");
            }
        }
    }

    public BlurConfig {
        if (!(maxBlurSigma > 0) || maxBlurSigma > MAX_BLUR_SIGMA) {
            throw new IllegalArgumentException("blurBaselineConfig.maxBlurSigma must be > 0 and at most "
                    + (int) MAX_BLUR_SIGMA + ", got " + maxBlurSigma);
        }
        if (path == null || boundary == null) {
            throw new IllegalArgumentException("a blur configuration needs a path and a boundary");
        }
    }

    /** Blur IG's path with saliency's zero boundary. */
    public static BlurConfig of(double maxBlurSigma) {
        return new BlurConfig(maxBlurSigma, Path.BLUR, GaussianBlur.Boundary.ZERO);
    }

    /** The same path and boundary with another sigma (a request's {@code maxBlurSigma}). */
    public BlurConfig withMaxBlurSigma(double sigma) {
        return new BlurConfig(sigma, path, boundary);
    }
}
