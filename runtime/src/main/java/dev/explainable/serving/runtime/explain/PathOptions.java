package dev.explainable.serving.runtime.explain;

import java.util.List;
import java.util.Optional;

/**
 * How Integrated Gradients and XRAI integrate: the steps and rule of each path, and optionally SmoothGrad, a
 * blurred start (Vertex AI's {@code stepCount}, {@code smoothGradConfig}, {@code blurBaselineConfig}) and a target
 * {@code approx_error} the steps are refined towards ({@link AdaptiveSteps}; then {@code steps} is where the
 * refinement starts). The runtime-wide settings build one; a request's parameters derive theirs from it with the
 * {@code with*} methods. Each part checks its own ranges on construction.
 */
public record PathOptions(
        int steps,
        IntegrationRule rule,
        Optional<SmoothGradConfig> smoothGrad,
        Optional<BlurConfig> blur,
        Optional<AdaptiveSteps> adaptiveSteps) {

    public PathOptions {
        if (steps < 1) {
            throw new IllegalArgumentException("integral steps must be >= 1, got " + steps);
        }
        if (rule == null || smoothGrad == null || blur == null || adaptiveSteps == null) {
            throw new IllegalArgumentException("path options need a rule; absent parts are Optional.empty()");
        }
        if (adaptiveSteps.isPresent() && rule != IntegrationRule.TRAPEZOID) {
            // uniform's points do not nest when doubled, and its first-order error would make the target costly
            throw new IllegalArgumentException("targetApproxError (explain.target-approx-error) refines the trapezoid"
                    + " rule, not " + rule.name().toLowerCase(java.util.Locale.ROOT)
                    + " (explain.integration-rule)");
        }
    }

    /** Without a target {@code approx_error}: the steps are fixed. */
    public PathOptions(
            int steps, IntegrationRule rule, Optional<SmoothGradConfig> smoothGrad, Optional<BlurConfig> blur) {
        this(steps, rule, smoothGrad, blur, Optional.empty());
    }

    /** Plain Integrated Gradients paths. */
    public static PathOptions of(int steps, IntegrationRule rule) {
        return new PathOptions(steps, rule, Optional.empty(), Optional.empty());
    }

    public PathOptions withSteps(int s) {
        return new PathOptions(s, rule, smoothGrad, blur, adaptiveSteps);
    }

    public PathOptions withRule(IntegrationRule r) {
        return new PathOptions(steps, r, smoothGrad, blur, adaptiveSteps);
    }

    /** With SmoothGrad ({@code null}: without). */
    public PathOptions withSmoothGrad(SmoothGradConfig config) {
        return new PathOptions(steps, rule, Optional.ofNullable(config), blur, adaptiveSteps);
    }

    /** With a blurred start ({@code null}: from the baselines). */
    public PathOptions withBlur(BlurConfig config) {
        return new PathOptions(steps, rule, smoothGrad, Optional.ofNullable(config), adaptiveSteps);
    }

    /** Refined towards a target {@code approx_error} ({@code null}: fixed steps). */
    public PathOptions withAdaptiveSteps(AdaptiveSteps a) {
        return new PathOptions(steps, rule, smoothGrad, blur, Optional.ofNullable(a));
    }

    /** The paths these options describe at {@link #steps()}, from the baselines or the blurred image, smoothed. */
    public GradientPath gradientPath() {
        GradientPath path = blur.<GradientPath>map(b -> new BlurPath(steps, rule, b))
                .orElseGet(() -> new StraightPath(steps, rule));
        return smoothGrad.<GradientPath>map(s -> new SmoothGrad(path, s)).orElse(path);
    }

    /**
     * The paths at the most steps these options may reach for {@code paths} paths through {@code inputs}:
     * {@link #gradientPath()}, or where refined the trapezoid rule at the cap's steps (bisected: the cap itself;
     * doubled: the last doubling within it), whose points are at least those every round of the refinement
     * evaluates together. What the work bounds count.
     */
    public GradientPath mostWork(List<InputValues> inputs, int paths) {
        return adaptiveSteps
                .map(a -> withSteps(
                                placement(inputs, paths).orElseThrow() == StepPlacement.LOCAL_ERROR
                                        ? Math.max(steps, a.maxSteps())
                                        : a.finalSteps(steps))
                        .gradientPath())
                .orElseGet(this::gradientPath);
    }

    /**
     * Where a refinement of {@code paths} paths through {@code inputs} puts its points, or empty for fixed steps.
     * Other than equal steps only on straight paths (no blur, no SmoothGrad noise); local-error where the gradients
     * it keeps fit ({@link LocalErrorBisection#fits}), else score-change; score-change from at least 4 start steps,
     * equal steps below.
     */
    public Optional<StepPlacement> placement(List<InputValues> inputs, int paths) {
        return adaptiveSteps.map(a -> {
            if (a.placement() == StepPlacement.EQUAL || blur.isPresent() || smoothGrad.isPresent()) {
                return StepPlacement.EQUAL;
            }
            if (a.placement() == StepPlacement.LOCAL_ERROR
                    && LocalErrorBisection.fits(inputs, paths, Math.max(steps, a.maxSteps()), a.maxKeptValues())) {
                return StepPlacement.LOCAL_ERROR;
            }
            return steps >= 4 ? StepPlacement.SCORE_CHANGE : StepPlacement.EQUAL;
        });
    }

    /** Whether a refinement of {@code paths} paths through {@code inputs} places its points by a probe. */
    public boolean placesPoints(List<InputValues> inputs, int paths) {
        return placement(inputs, paths).orElse(StepPlacement.EQUAL) == StepPlacement.SCORE_CHANGE;
    }

    /** The segments of the forward-only probe that places the points: half the start steps. */
    public int probeSegments() {
        return steps / 2;
    }

    /** Points per path the probe evaluates (forward only), 0 where points are not placed: counted as work. */
    public int probePoints(List<InputValues> inputs, int paths) {
        return placesPoints(inputs, paths) ? probeSegments() + 1 : 0;
    }

    /**
     * How often {@link #mostWork}'s paths are made: once, or where doubled once per round (the first, each
     * doubling). What host work per round counts: none on the straight paths a local-error refinement takes.
     */
    public int rounds() {
        return adaptiveSteps
                .map(a -> 1 + Integer.numberOfTrailingZeros(a.finalSteps(steps) / steps))
                .orElse(1);
    }
}
