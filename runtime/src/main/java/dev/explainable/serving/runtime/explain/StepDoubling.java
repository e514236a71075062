package dev.explainable.serving.runtime.explain;

import java.util.List;

import dev.explainable.serving.runtime.explain.PathAttributions.PathMean;

/**
 * The path integral refined until {@code approx_error} reaches a target ({@link AdaptiveSteps}). Where the
 * refinement places its points ({@link PathOptions#placesPoints}), a forward-only probe first gives each stretch of
 * a straight path its share of the steps ({@link AlphaMap}) and its start point is taken just inside the path
 * ({@link StraightPath#NEAR_START}); the rounds below are then those of the mapped points, the same identities
 * holding because the map is linear between grid points. The trapezoid
 * rule at the configured {@code n} steps first; then, while the completeness gap is above the target and
 * {@code 2n} is within the cap, the midpoint rule at {@code n} steps (the {@code n} points halfway between the
 * trapezoid's) and {@code T_2n = (T_n + M_n) / 2}, the trapezoid rule at twice the steps. Every point evaluated
 * stays in the answer: reaching {@code n * 2^k} steps costs {@code n * 2^k + 1} points per path, what the trapezoid
 * rule costs at those steps from the start, and stopping earlier costs less. Each round's points still run in
 * shared batches ({@link PathAttributions}), so the rounds add few model runs.
 *
 * <p>Why doubling the trapezoid rule rather than Gauss–Legendre nodes, which are more accurate per point on smooth
 * integrands: Gauss–Legendre's nodes for {@code n} and {@code 2n} share none, so refining would evaluate again
 * from nothing; a ReLU network's gradient jumps along the path, where Gauss–Legendre's high order buys nothing; and
 * every answer is exactly the trapezoid rule at the steps it reports, the rule the runtime uses without a target.
 *
 * <p>Attributions are linear in the gradients, so the rounds combine through the paths' mean alone: no path keeps
 * its sums between rounds, and memory stays what one round needs. {@code approx_error} is measured against the first
 * round's ends (the midpoints include neither).
 */
final class StepDoubling {

    private StepDoubling() {}

    static Attribution attribute(
            List<InputValues> inputs, List<List<float[]>> baselineSets, PathOptions options, ScoreFunction model) {
        AdaptiveSteps adaptive = options.adaptiveSteps().orElseThrow();
        int steps = options.steps();
        List<AlphaMap> placements = options.placesPoints(inputs, baselineSets.size())
                ? placements(inputs, baselineSets, options, model)
                : null;
        GradientPath path = placements == null
                ? options.gradientPath()
                : new StraightPath(steps, IntegrationRule.TRAPEZOID, placements);
        PathMean mean = PathAttributions.mean(inputs, baselineSets, path, model);
        while (!adaptive.reached(mean.approxError()) && adaptive.mayDouble(steps)) {
            GradientPath midpoints = placements == null
                    ? options.withAdaptiveSteps(null)
                            .withRule(IntegrationRule.MIDPOINT)
                            .withSteps(steps)
                            .gradientPath()
                    : new StraightPath(steps, IntegrationRule.MIDPOINT, placements);
            mean = halfway(mean, PathAttributions.mean(inputs, baselineSets, midpoints, model));
            steps *= 2;
        }
        return PathAttributions.answer(inputs, baselineSets, path, model, mean, steps);
    }

    /**
     * Per baseline set, where its points go: the scores at {@link PathOptions#probeSegments()} + 1 equally spaced
     * points of its straight path, forward only, give each stretch of the path its share of the start steps
     * ({@link AlphaMap}); null entries (a flat score) keep equal steps.
     */
    static List<AlphaMap> placements(
            List<InputValues> inputs, List<List<float[]>> baselineSets, PathOptions options, ScoreFunction model) {
        GradientPath probe = new StraightPath(options.probeSegments(), IntegrationRule.TRAPEZOID);
        double[][] scores = PathAttributions.scoresAlong(inputs, baselineSets, probe, model);
        List<AlphaMap> out = new java.util.ArrayList<>(scores.length);
        for (double[] s : scores) {
            out.add(AlphaMap.placed(s, options.steps()));
        }
        return out;
    }

    /** {@code (T_n + M_n) / 2}, with the trapezoid's ends (the midpoints have none). */
    static PathMean halfway(PathMean trapezoid, PathMean midpoints) {
        double[][] t = trapezoid.attributions();
        double[][] m = midpoints.attributions();
        double[][] out = new double[t.length][];
        for (int i = 0; i < t.length; i++) {
            out[i] = new double[t[i].length];
            for (int e = 0; e < t[i].length; e++) {
                out[i][e] = (t[i][e] + m[i][e]) / 2;
            }
        }
        return new PathMean(out, trapezoid.start(), trapezoid.end());
    }
}
