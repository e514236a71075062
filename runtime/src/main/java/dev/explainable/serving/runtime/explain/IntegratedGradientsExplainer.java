package dev.explainable.serving.runtime.explain;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.explainable.serving.runtime.model.ServingModel.ExplainedInput;
import dev.explainable.serving.runtime.model.ServingModel.ExplainedOutput;
import dev.explainable.serving.runtime.tensor.HostTensor;

/**
 * Integrated Gradients on a model: the path points of every baseline set are evaluated in batches of at most
 * {@code batchSize}, one TensorFlow run (forward + backward) per batch.
 */
public final class IntegratedGradientsExplainer implements Explainer {

    private final ModelRunner runner;
    private final int steps;
    private final int batchSize;
    private final IntegrationRule rule;

    public IntegratedGradientsExplainer(ModelRunner runner, int steps, int batchSize) {
        this(runner, steps, batchSize, IntegrationRule.TRAPEZOID);
    }

    public IntegratedGradientsExplainer(ModelRunner runner, int steps, int batchSize, IntegrationRule rule) {
        if (steps < 1) {
            throw new IllegalArgumentException("integral steps must be >= 1, got " + steps);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        this.runner = runner;
        this.steps = steps;
        this.batchSize = batchSize;
        this.rule = rule;
    }

    @Override
    public Explanation explain(Instance instance) {
        List<Map<String, float[]>> baselineSets = Baselines.sets(Baselines.perInput(runner.model(), instance));
        List<AttributionByLabel> byLabel = new ArrayList<>();
        for (ExplainedOutput o : runner.model().explainedOutputs()) {
            ModelRunner.Target target = ModelRunner.target(instance, o);
            PathIntegral integral = integrate(instance, o, target, baselineSets);
            byLabel.add(integral.toAttribution(instance, runner.model().explainedInputs(), baselineSets, target, o.key()));
        }
        return new Explanation(byLabel);
    }

    @Override
    public long evaluations(Instance instance) {
        long sets = Baselines.sets(Baselines.perInput(runner.model(), instance)).size();
        return (long) rule.points(steps) * sets * runner.model().explainedOutputs().size();
    }

    /** Points of one straight path: XRAI counts its own baselines with it. */
    long pointsPerPath() {
        return rule.points(steps);
    }

    /** Weighted gradient averages and end scores of the straight paths from each baseline set to the instance. */
    record PathIntegral(double[][][] avgGrad, double[] baselineScore, double[] exampleScore) {

        AttributionByLabel toAttribution(Instance instance, List<ExplainedInput> inputs,
                List<Map<String, float[]>> baselineSets, ModelRunner.Target target, String outputName) {
            Map<String, Object> attributions = new LinkedHashMap<>();
            double sum = 0;
            for (int i = 0; i < inputs.size(); i++) {
                HostTensor x = instance.explainedValues().get(inputs.get(i).key());
                double[] mean = new double[x.size()];
                for (int k = 0; k < baselineSets.size(); k++) {
                    double[] a = IntegratedGradients.attributions(x.floats(),
                            baselineSets.get(k).get(inputs.get(i).key()), avgGrad[k][i]);
                    for (int e = 0; e < mean.length; e++) {
                        mean[e] += a[e] / baselineSets.size();
                    }
                }
                for (double v : mean) {
                    sum += v;
                }
                attributions.put(inputs.get(i).key(), new AttributionMap(mean, x.shape()));
            }
            double base = Arrays.stream(baselineScore).average().orElse(0);
            double example = Arrays.stream(exampleScore).average().orElse(0);
            return new AttributionByLabel(IntegratedGradients.approxError(sum, example, base), attributions, base,
                    example, target.labelIndex(), target.labelName(), outputName);
        }
    }

    PathIntegral integrate(Instance instance, ExplainedOutput output, ModelRunner.Target target,
            List<Map<String, float[]>> baselineSets) {
        List<ExplainedInput> inputs = runner.model().explainedInputs();
        int nIn = inputs.size();
        int perSet = rule.points(steps);
        int total = perSet * baselineSets.size();
        double[][][] avgGrad = new double[baselineSets.size()][nIn][];
        for (int k = 0; k < baselineSets.size(); k++) {
            for (int i = 0; i < nIn; i++) {
                avgGrad[k][i] = new double[instance.explainedValues().get(inputs.get(i).key()).size()];
            }
        }
        double[] baselineScore = new double[baselineSets.size()];
        double[] exampleScore = new double[baselineSets.size()];
        int perRun = runner.pointsPerRun(batchSize, runner.explainedElements(instance));
        for (int start = 0; start < total; start += perRun) {
            int n = Math.min(perRun, total - start);
            Map<String, float[]> points = new LinkedHashMap<>();
            for (ExplainedInput in : inputs) {
                float[] xs = instance.explainedValues().get(in.key()).floats();
                float[] batch = new float[n * xs.length];
                for (int p = 0; p < n; p++) {
                    int point = start + p;
                    float[] b = baselineSets.get(point / perSet).get(in.key());
                    IntegratedGradients.interpolate(b, xs, rule.alpha(point % perSet, steps), batch,
                            p * xs.length);
                }
                points.put(in.key(), batch);
            }
            ModelRunner.Evaluation eval = runner.evaluate(instance, output, target, points, n, true);
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
                    baselineScore[k] = eval.scores()[p];
                }
                if (j == rule.last(steps)) {
                    exampleScore[k] = eval.scores()[p];
                }
            }
        }
        return new PathIntegral(avgGrad, baselineScore, exampleScore);
    }
}
