package dev.explainable.serving.runtime.explain;

import java.util.Locale;

/**
 * Vertex AI's {@code blurBaselineConfig}: attribute along blurs of the image, from the image blurred with
 * {@code maxBlurSigma} (pixels, over height and width) to the image itself (see {@link BlurPath}). Checked here:
 * {@code maxBlurSigma} from {@value #MIN_BLUR_SIGMA} to {@value #MAX_BLUR_SIGMA}; Vertex documents no bounds. Below
 * the minimum the kernel (scipy's, radius {@code int(4 sigma + 0.5)}) is the single tap 1: the blurred start is the
 * image itself and every attribution 0 (and near 0 the kernel's {@code 1 / sigma^2} overflows). The maximum bounds
 * the kernel; what a blur costs is counted by the work bound (explain.limits.max-request-elements), and a sigma
 * beyond the image's size gains nothing.
 *
 * @param maxBlurSigma the blur at the path's start
 * @param path         along which path: the blur path of Blur IG (default) or a straight line from the blurred image
 * @param boundary     what the blur reads past the image's edges (default ZERO: PAIR saliency's)
 */
public record BlurConfig(double maxBlurSigma, Path path, GaussianBlur.Boundary boundary) {

    /** The least sigma whose kernel reaches past the pixel itself: radius {@code int(4 * 0.125 + 0.5) = 1}. */
    public static final double MIN_BLUR_SIGMA = 0.125;

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
        if (!(maxBlurSigma >= MIN_BLUR_SIGMA && maxBlurSigma <= MAX_BLUR_SIGMA)) {
            throw new IllegalArgumentException("blurBaselineConfig.maxBlurSigma must be between " + MIN_BLUR_SIGMA
                    + " and " + (int) MAX_BLUR_SIGMA + " pixels (below " + MIN_BLUR_SIGMA
                    + " the blur leaves the image as it is), got " + maxBlurSigma);
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
