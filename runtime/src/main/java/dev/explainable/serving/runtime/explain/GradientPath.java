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
     * Where the points are perturbed (SmoothGrad), the unperturbed paths: their start and end points, evaluated
     * forward only, give the baseline and instance scores an explanation reports. Empty for paths whose own ends
     * are the baseline and the instance.
     */
    default Optional<GradientPath> unperturbed() {
        return Optional.empty();
    }
}
