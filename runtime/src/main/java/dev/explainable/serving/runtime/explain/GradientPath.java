package dev.explainable.serving.runtime.explain;

import java.util.List;
import java.util.Optional;

/**
 * A family of integration paths ending at the instance, as Integrated Gradients and XRAI integrate them: straight
 * lines from baselines ({@link StraightPath}), blurs of an image ({@link BlurPath}), or either with noise on every
 * point ({@link SmoothGrad}, which wraps another). {@link PathAttributions} evaluates the points of all paths in
 * shared batches and averages the attributions.
 */
public interface GradientPath {

    /**
     * The paths to integrate for an instance whose explained values are {@code inputs}, where the path starts at a
     * baseline from each of {@code baselineSets} (set k: one baseline per input).
     */
    List<PathIntegral> paths(List<InputValues> inputs, List<List<float[]>> baselineSets);

    /** How many paths {@link #paths} returns. */
    int pathCount(List<InputValues> inputs, int baselineSets);

    /** Points per path, each evaluated with gradients. */
    int pointsPerPath();

    /**
     * Multiply-adds one call of {@link #paths} spends on the host: the straight path from a blurred image blurs it
     * once. The work bound counts these beside the evaluations; none by default.
     */
    default long setupMultiplyAdds(List<InputValues> inputs) {
        return 0;
    }

    /**
     * Multiply-adds spent on the host to write the points of one path, beyond the few per value that interpolating
     * or adding noise takes: Blur IG blurs the image twice for most points. None by default.
     *
     * @param endsOnly only the points at the path's start and end are written (the unperturbed paths' scores)
     */
    default long pathMultiplyAdds(List<InputValues> inputs, boolean endsOnly) {
        return 0;
    }

    /**
     * Where the points are perturbed (SmoothGrad), the unperturbed paths: their start and end points, evaluated
     * forward only, give the baseline and instance scores an explanation reports. Empty for paths whose own ends
     * are the baseline and the instance.
     */
    default Optional<GradientPath> unperturbed() {
        return Optional.empty();
    }
}
