package dev.explainable.serving.runtime.explain;

import java.util.Optional;

/**
 * How Integrated Gradients and XRAI integrate: the steps and rule of each path, and optionally SmoothGrad and a
 * blurred start (Vertex AI's {@code stepCount}, {@code smoothGradConfig}, {@code blurBaselineConfig}). The
 * runtime-wide settings build one; a request's parameters derive theirs from it with the {@code with*} methods.
 * Each part checks its own ranges on construction.
 */
public record PathOptions(
        int steps, IntegrationRule rule, Optional<SmoothGradConfig> smoothGrad, Optional<BlurConfig> blur) {

    public PathOptions {
        if (steps < 1) {
            throw new IllegalArgumentException("integral steps must be >= 1, got " + steps);
        }
        if (rule == null || smoothGrad == null || blur == null) {
            throw new IllegalArgumentException("path options need a rule; absent parts are Optional.empty()");
        }
    }

    /** Plain Integrated Gradients paths. */
    public static PathOptions of(int steps, IntegrationRule rule) {
        return new PathOptions(steps, rule, Optional.empty(), Optional.empty());
    }

    public PathOptions withSteps(int s) {
        return new PathOptions(s, rule, smoothGrad, blur);
    }

    public PathOptions withRule(IntegrationRule r) {
        return new PathOptions(steps, r, smoothGrad, blur);
    }

    /** With SmoothGrad ({@code null}: without). */
    public PathOptions withSmoothGrad(SmoothGradConfig config) {
        return new PathOptions(steps, rule, Optional.ofNullable(config), blur);
    }

    /** With a blurred start ({@code null}: from the baselines). */
    public PathOptions withBlur(BlurConfig config) {
        return new PathOptions(steps, rule, smoothGrad, Optional.ofNullable(config));
    }

    /** The paths these options describe, from the baselines or the blurred image, smoothed where asked. */
    public GradientPath gradientPath() {
        GradientPath path = blur.<GradientPath>map(b -> new BlurPath(steps, rule, b))
                .orElseGet(() -> new StraightPath(steps, rule));
        return smoothGrad.<GradientPath>map(s -> new SmoothGrad(path, s)).orElse(path);
    }
}
