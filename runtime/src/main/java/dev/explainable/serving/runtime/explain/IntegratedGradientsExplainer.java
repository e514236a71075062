package dev.explainable.serving.runtime.explain;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Integrated Gradients: the path points of every baseline set are evaluated in batches of at most
 * {@link ScoreFunction#maxPointsPerCall()} points (one forward + backward run each); attributions are averaged
 * over the baseline sets.
 */
public final class IntegratedGradientsExplainer implements Explainer {

    private final int steps;
    private final IntegrationRule rule;

    public IntegratedGradientsExplainer(int steps, IntegrationRule rule) {
        if (steps < 1) {
            throw new IllegalArgumentException("integral steps must be >= 1, got " + steps);
        }
        this.steps = steps;
        this.rule = rule;
    }

    @Override
    public Attribution explain(ExplainedInstance instance, ScoreFunction model) {
        return integrate(instance, instance.baselineSets(), model);
    }

    @Override
    public long evaluations(ExplainedInstance instance) {
        return (long) rule.points(steps) * instance.baselineSets().size();
    }

    /** Points of one straight path: XRAI counts its own baselines with it. */
    long pointsPerPath() {
        return rule.points(steps);
    }

    /** IG from each of {@code baselineSets} to the instance, averaged over the sets. */
    Attribution integrate(ExplainedInstance instance, List<List<float[]>> baselineSets, ScoreFunction model) {
        List<InputValues> inputs = instance.inputs();
        int nIn = inputs.size();
        int sets = baselineSets.size();
        int perSet = rule.points(steps);
        int total = perSet * sets;
        double[][][] avgGrad = new double[sets][nIn][];
        for (int k = 0; k < sets; k++) {
            for (int i = 0; i < nIn; i++) {
                avgGrad[k][i] = new double[inputs.get(i).size()];
            }
        }
        double[] baselineScore = new double[sets];
        double[] exampleScore = new double[sets];
        int perRun = Math.max(1, model.maxPointsPerCall());
        for (int start = 0; start < total; start += perRun) {
            int n = Math.min(perRun, total - start);
            List<float[]> points = new ArrayList<>(nIn);
            for (int i = 0; i < nIn; i++) {
                float[] xs = inputs.get(i).values();
                float[] batch = new float[n * xs.length];
                for (int p = 0; p < n; p++) {
                    int point = start + p;
                    float[] b = baselineSets.get(point / perSet).get(i);
                    IntegratedGradients.interpolate(b, xs, rule.alpha(point % perSet, steps), batch, p * xs.length);
                }
                points.add(batch);
            }
            ScoreFunction.Scores eval = model.at(points, n, true);
            for (int p = 0; p < n; p++) {
                int point = start + p;
                int k = point / perSet;
                int j = point % perSet;
                double w = rule.weight(j, steps);
                for (int i = 0; i < nIn; i++) {
                    double[] acc = avgGrad[k][i];
                    float[] g = eval.gradients()[i];
                    int off = p * acc.length;
                    for (int e = 0; e < acc.length; e++) {
                        acc[e] += w * g[off + e];
                    }
                }
                if (j == rule.first(steps)) {
                    baselineScore[k] = eval.values()[p];
                }
                if (j == rule.last(steps)) {
                    exampleScore[k] = eval.values()[p];
                }
            }
        }
        List<InputAttribution> attributions = new ArrayList<>(nIn);
        double sum = 0;
        for (int i = 0; i < nIn; i++) {
            InputValues x = inputs.get(i);
            double[] mean = new double[x.size()];
            for (int k = 0; k < sets; k++) {
                double[] a = IntegratedGradients.attributions(
                        x.values(), baselineSets.get(k).get(i), avgGrad[k][i]);
                for (int e = 0; e < mean.length; e++) {
                    mean[e] += a[e] / sets;
                }
            }
            for (double v : mean) {
                sum += v;
            }
            attributions.add(new InputAttribution(x.name(), x.shape(), mean));
        }
        double base = Arrays.stream(baselineScore).average().orElse(0);
        double example = Arrays.stream(exampleScore).average().orElse(0);
        return new Attribution(attributions, base, example, IntegratedGradients.approxError(sum, example, base));
    }
}
