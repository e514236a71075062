package dev.explainable.serving.runtime.explain;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.tensorflow.Output;

import dev.explainable.serving.runtime.model.ServingModel;
import dev.explainable.serving.runtime.model.ServingModel.ExplainedInput;
import dev.explainable.serving.runtime.model.ServingModel.ExplainedOutput;
import dev.explainable.serving.runtime.tensor.HostTensor;
import dev.explainable.serving.runtime.tensor.TensorSpec;

/**
 * Integrated Gradients on a {@link ServingModel}: the path points of every baseline set are evaluated in
 * batches of at most {@code batchSize}, one TensorFlow run (forward + backward) per batch.
 */
public final class IntegratedGradientsExplainer {

    private final ServingModel model;
    private final int steps;
    private final int batchSize;

    public IntegratedGradientsExplainer(ServingModel model, int steps, int batchSize) {
        if (steps < 1) {
            throw new IllegalArgumentException("integral steps must be >= 1, got " + steps);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        this.model = model;
        this.steps = steps;
        this.batchSize = batchSize;
    }

    /** What one instance looks like once decoded and run forward. */
    public record Instance(Map<String, HostTensor> signatureValues, Map<String, HostTensor> explainedValues,
            Map<String, HostTensor> outputs) {
    }

    /** Decoded instances (by signature input key) -> explained values and outputs, in one forward run. */
    public List<Instance> forward(List<Map<String, HostTensor>> instances) {
        Map<Output<?>, HostTensor> feeds = new LinkedHashMap<>();
        for (TensorSpec s : model.signatureInputs()) {
            List<HostTensor> column = new ArrayList<>();
            instances.forEach(i -> column.add(i.get(s.key())));
            feeds.put(model.graphTensor(s.tensorName()), HostTensor.stack(column));
        }
        List<Output<?>> fetches = new ArrayList<>();
        List<ExplainedInput> internal = model.explainedInputs().stream().filter(e -> !e.isSignatureInput()).toList();
        internal.forEach(e -> fetches.add(e.tensor()));
        model.explainedOutputs().forEach(o -> fetches.add(o.tensor()));
        List<HostTensor> results = model.run(feeds, fetches);
        List<Instance> out = new ArrayList<>();
        for (int i = 0; i < instances.size(); i++) {
            Map<String, HostTensor> explained = new LinkedHashMap<>();
            int r = 0;
            for (ExplainedInput e : model.explainedInputs()) {
                explained.put(e.key(), e.isSignatureInput() ? instances.get(i).get(e.signatureKey())
                        : results.get(r++).item(i));
            }
            Map<String, HostTensor> outputs = new LinkedHashMap<>();
            for (ExplainedOutput o : model.explainedOutputs()) {
                outputs.put(o.key(), results.get(r++).item(i));
            }
            out.add(new Instance(instances.get(i), explained, outputs));
        }
        return out;
    }

    public Explanation explain(Instance instance) {
        Map<String, List<float[]>> perInput = new LinkedHashMap<>();
        for (ExplainedInput e : model.explainedInputs()) {
            HostTensor x = instance.explainedValues().get(e.key());
            perInput.put(e.key(), Baselines.forInput(e.key(), e.metadata().inputBaselines(), x.shape()));
        }
        List<Map<String, float[]>> baselineSets = Baselines.sets(perInput);
        List<AttributionByLabel> byLabel = new ArrayList<>();
        for (ExplainedOutput o : model.explainedOutputs()) {
            byLabel.add(explainOutput(instance, o, baselineSets));
        }
        return new Explanation(byLabel);
    }

    /** The explained class: the top one for a vector output, -1 for a scalar per example. */
    static int labelIndex(HostTensor output) {
        if (output.shape().length == 0) {
            return -1;
        }
        float[] v = output.dtype() == org.tensorflow.proto.DataType.DT_FLOAT ? output.floats() : toFloats(output);
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    private static float[] toFloats(HostTensor t) {
        float[] f = new float[t.size()];
        Object d = t.data();
        for (int i = 0; i < f.length; i++) {
            f[i] = d instanceof double[] a ? (float) a[i] : d instanceof int[] a ? a[i] : d instanceof long[] a ? a[i] : 0f;
        }
        return f;
    }

    private AttributionByLabel explainOutput(Instance instance, ExplainedOutput output,
            List<Map<String, float[]>> baselineSets) {
        HostTensor y = instance.outputs().get(output.key());
        int label = labelIndex(y);
        float[] mask = new float[(int) HostTensor.elements(output.shape())];
        if (label < 0) {
            mask = new float[] {1f};
        } else {
            mask[label] = 1f;
        }
        HostTensor maskTensor = HostTensor.floats(output.shape(), mask);

        List<ExplainedInput> inputs = model.explainedInputs();
        int nIn = inputs.size();
        int perSet = IntegratedGradients.points(steps);
        int total = perSet * baselineSets.size();
        double[][][] avgGrad = new double[baselineSets.size()][nIn][];
        for (int k = 0; k < baselineSets.size(); k++) {
            for (int i = 0; i < nIn; i++) {
                avgGrad[k][i] = new double[instance.explainedValues().get(inputs.get(i).key()).size()];
            }
        }
        double[] baselineScore = new double[baselineSets.size()];
        double[] exampleScore = new double[baselineSets.size()];

        for (int start = 0; start < total; start += batchSize) {
            int n = Math.min(batchSize, total - start);
            Map<Output<?>, HostTensor> feeds = new LinkedHashMap<>();
            for (int i = 0; i < nIn; i++) {
                ExplainedInput in = inputs.get(i);
                HostTensor x = instance.explainedValues().get(in.key());
                float[] xs = x.floats();
                float[] batch = new float[n * xs.length];
                for (int p = 0; p < n; p++) {
                    int point = start + p;
                    float[] b = baselineSets.get(point / perSet).get(in.key());
                    IntegratedGradients.interpolate(b, xs, IntegratedGradients.alpha(point % perSet, steps), batch,
                            p * xs.length);
                }
                feeds.put(in.tensor(), HostTensor.floats(prepend(n, x.shape()), batch));
            }
            for (TensorSpec s : model.signatureInputs()) {
                boolean explained = inputs.stream().anyMatch(e -> s.key().equals(e.signatureKey()));
                if (!explained) {
                    feeds.put(model.graphTensor(s.tensorName()), HostTensor.stack(java.util.Collections.nCopies(n,
                            instance.signatureValues().get(s.key()))));
                }
            }
            feeds.put(output.mask().asOutput(), maskTensor);
            List<Output<?>> fetches = new ArrayList<>();
            fetches.add(output.target());
            fetches.addAll(Arrays.asList(output.gradients()));
            List<HostTensor> results = model.run(feeds, fetches);
            float[] target = results.get(0).floats();
            for (int p = 0; p < n; p++) {
                int point = start + p;
                int k = point / perSet;
                int j = point % perSet;
                double w = IntegratedGradients.weight(j, steps);
                for (int i = 0; i < nIn; i++) {
                    float[] g = results.get(1 + i).floats();
                    double[] acc = avgGrad[k][i];
                    int off = p * acc.length;
                    for (int e = 0; e < acc.length; e++) {
                        acc[e] += w * g[off + e];
                    }
                }
                if (j == 0) {
                    baselineScore[k] = target[p];
                }
                if (j == steps) {
                    exampleScore[k] = target[p];
                }
            }
        }

        Map<String, Object> attributions = new LinkedHashMap<>();
        double sum = 0;
        for (int i = 0; i < nIn; i++) {
            ExplainedInput in = inputs.get(i);
            HostTensor x = instance.explainedValues().get(in.key());
            double[] mean = new double[x.size()];
            for (int k = 0; k < baselineSets.size(); k++) {
                double[] a = IntegratedGradients.attributions(x.floats(), baselineSets.get(k).get(in.key()),
                        avgGrad[k][i]);
                for (int e = 0; e < mean.length; e++) {
                    mean[e] += a[e] / baselineSets.size();
                }
            }
            for (double v : mean) {
                sum += v;
            }
            attributions.put(in.key(), HostTensor.nestedDoubles(mean, x.shape()));
        }
        double base = Arrays.stream(baselineScore).average().orElse(0);
        double example = Arrays.stream(exampleScore).average().orElse(0);
        String labelName = label >= 0 && output.indexNameMapping() != null && label < output.indexNameMapping().size()
                ? output.indexNameMapping().get(label) : null;
        return new AttributionByLabel(IntegratedGradients.approxError(sum, example, base), attributions, base, example,
                label, labelName, output.key());
    }

    static long[] prepend(long n, long[] shape) {
        long[] s = new long[shape.length + 1];
        s[0] = n;
        System.arraycopy(shape, 0, s, 1, shape.length);
        return s;
    }
}
