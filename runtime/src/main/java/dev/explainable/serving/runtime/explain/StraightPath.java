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

    public StraightPath(int steps, IntegrationRule rule) {
        if (steps < 1) {
            throw new IllegalArgumentException("integral steps must be >= 1, got " + steps);
        }
        this.steps = steps;
        this.rule = rule;
    }

    @Override
    public List<PathIntegral> paths(List<InputValues> inputs, List<List<float[]>> baselineSets) {
        List<float[]> x = inputs.stream().map(InputValues::values).toList();
        List<PathIntegral> out = new ArrayList<>(baselineSets.size());
        for (List<float[]> b : baselineSets) {
            out.add(new Line(x, b, steps, rule));
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
        private final double[][] weightedGradient;

        Line(List<float[]> x, List<float[]> baseline, int steps, IntegrationRule rule) {
            this.x = x;
            this.baseline = baseline;
            this.steps = steps;
            this.rule = rule;
            this.weightedGradient = new double[x.size()][];
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
            double alpha = rule.alpha(j, steps);
            for (int i = 0; i < x.size(); i++) {
                float[] xs = x.get(i);
                IntegratedGradients.interpolate(baseline.get(i), xs, alpha, batch.get(i), slot * xs.length);
            }
        }

        @Override
        public void accept(int j, float[][] gradients, int slot) {
            double w = rule.weight(j, steps);
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
            return new Line(x, baseline, steps, rule);
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
