package dev.explainable.serving.runtime.explain;

import java.util.ArrayList;
import java.util.List;

/**
 * Integrated Gradients' straight paths {@code b + alpha (x - b)}, one per baseline set, discretized by an
 * {@link IntegrationRule}: {@code IG_i = (x_i - b_i) * sum_j w_j dF/dx_i(point_j)}.
 */
public final class StraightPath implements GradientPath {

    private final int steps;
    private final IntegrationRule rule;
    /** Per baseline set, where its points go ({@link AlphaMap}), or null for equal steps; null: equal steps. */
    private final List<AlphaMap> placements;

    /**
     * Where placed paths take their start point: a millionth of the way along, not at the baseline itself. The
     * integrand's value at one point does not change the integral, but the trapezoid rule weighs its start point
     * by half an interval, and at a baseline on a kink (a black image into a ReLU network whose units all sit at
     * exactly 0 there) the gradient is 0 while it is not anywhere after: the rule then misses half an interval of
     * the integral at every step count, an error that falls only as 1/steps (the bundled small CNN: its whole
     * approx_error). Just inside the path the gradient is its limit; the score moves by a millionth of the path's
     * change, below float32's resolution of the scores.
     */
    static final double NEAR_START = 1e-6;

    public StraightPath(int steps, IntegrationRule rule) {
        this(steps, rule, null);
    }

    /** @param placements per baseline set, its points' placement or null (equal steps); null for none */
    StraightPath(int steps, IntegrationRule rule, List<AlphaMap> placements) {
        if (steps < 1) {
            throw new IllegalArgumentException("integral steps must be >= 1, got " + steps);
        }
        this.steps = steps;
        this.rule = rule;
        this.placements = placements;
    }

    @Override
    public List<PathIntegral> paths(List<InputValues> inputs, List<List<float[]>> baselineSets) {
        List<float[]> x = inputs.stream().map(InputValues::values).toList();
        List<PathIntegral> out = new ArrayList<>(baselineSets.size());
        for (int k = 0; k < baselineSets.size(); k++) {
            AlphaMap placement = placements == null ? null : placements.get(k);
            out.add(new Line(x, baselineSets.get(k), steps, rule, placement, placements != null));
        }
        return out;
    }

    @Override
    public int pathCount(List<InputValues> inputs, int baselineSets) {
        return baselineSets;
    }

    @Override
    public int pointsPerPath() {
        return rule.points(steps);
    }

    /** The straight line from {@code baseline} to {@code x} (per input). */
    static final class Line implements PathIntegral {
        private final List<float[]> x;
        private final List<float[]> baseline;
        private final int steps;
        private final IntegrationRule rule;
        private final AlphaMap placement;
        /** A placed path (its start just inside, {@link #NEAR_START}), even where its placement is equal steps. */
        private final boolean placed;

        private final double[][] weightedGradient;

        Line(
                List<float[]> x,
                List<float[]> baseline,
                int steps,
                IntegrationRule rule,
                AlphaMap placement,
                boolean placed) {
            this.x = x;
            this.baseline = baseline;
            this.steps = steps;
            this.rule = rule;
            this.placement = placement;
            this.placed = placed;
            this.weightedGradient = new double[x.size()][];
        }

        /** Equal steps as the rule has them (today's numbers, bit for bit), or where the placement puts them. */
        private double alpha(int j) {
            if (placed && j == rule.first(steps)) {
                return NEAR_START;
            }
            return placement == null ? rule.alpha(j, steps) : placement.alpha(rule, j, steps);
        }

        private double weight(int j) {
            return placement == null ? rule.weight(j, steps) : placement.weight(rule, j, steps);
        }

        @Override
        public int points() {
            return rule.points(steps);
        }

        @Override
        public int startIndex() {
            return rule.first(steps);
        }

        @Override
        public int endIndex() {
            return rule.last(steps);
        }

        @Override
        public void point(int j, List<float[]> batch, int slot) {
            double alpha = alpha(j);
            for (int i = 0; i < x.size(); i++) {
                float[] xs = x.get(i);
                IntegratedGradients.interpolate(baseline.get(i), xs, alpha, batch.get(i), slot * xs.length);
            }
        }

        @Override
        public void accept(int j, float[][] gradients, int slot) {
            double w = weight(j);
            for (int i = 0; i < x.size(); i++) {
                if (weightedGradient[i] == null) { // allocated when first needed: paths wait in a queue
                    weightedGradient[i] = new double[x.get(i).length];
                }
                double[] acc = weightedGradient[i];
                float[] g = gradients[i];
                int off = slot * acc.length;
                for (int e = 0; e < acc.length; e++) {
                    acc[e] += w * g[off + e];
                }
            }
        }

        @Override
        public PathIntegral fresh() {
            return new Line(x, baseline, steps, rule, placement, placed);
        }

        @Override
        public List<double[]> attributions() {
            List<double[]> out = new ArrayList<>(x.size());
            for (int i = 0; i < x.size(); i++) {
                double[] g = weightedGradient[i] == null ? new double[x.get(i).length] : weightedGradient[i];
                out.add(IntegratedGradients.attributions(x.get(i), baseline.get(i), g));
            }
            return out;
        }
    }
}
