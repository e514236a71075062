package dev.explainable.serving.runtime.explain;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.tensorflow.Output;
import org.tensorflow.proto.DataType;

import dev.explainable.serving.runtime.model.ServingModel;
import dev.explainable.serving.runtime.model.ServingModel.ExplainedInput;
import dev.explainable.serving.runtime.model.ServingModel.ExplainedOutput;
import dev.explainable.serving.runtime.tensor.HostTensor;
import dev.explainable.serving.runtime.tensor.TensorSpec;

/**
 * What every attribution method asks of the model: the forward run of a request's instances, and the explained
 * score (optionally with its gradients) at a batch of points in the explained inputs' space.
 */
public final class ModelRunner {

    private final ServingModel model;

    public ModelRunner(ServingModel model) {
        this.model = model;
    }

    public ServingModel model() {
        return model;
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

    /** The explained class and the mask that selects it. */
    public record Target(int labelIndex, String labelName, HostTensor mask) {
    }

    /** The top class for a vector output ({@code -1} for a scalar per example), as AI Platform explains it. */
    public static Target target(Instance instance, ExplainedOutput output) {
        HostTensor y = instance.outputs().get(output.key());
        int label = labelIndex(y);
        float[] mask = new float[(int) HostTensor.elements(output.shape())];
        if (label < 0) {
            mask = new float[] {1f};
        } else {
            mask[label] = 1f;
        }
        String name = label >= 0 && output.indexNameMapping() != null && label < output.indexNameMapping().size()
                ? output.indexNameMapping().get(label) : null;
        return new Target(label, name, HostTensor.floats(output.shape(), mask));
    }

    static int labelIndex(HostTensor output) {
        if (output.shape().length == 0) {
            return -1;
        }
        float[] v = output.dtype() == DataType.DT_FLOAT ? output.floats() : toFloats(output);
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

    /** Scores (and gradients per explained input, when asked) at {@code n} points. */
    public record Evaluation(float[] scores, float[][] gradients) {
    }

    /**
     * One session run at {@code n} points: {@code points} holds, per explained input key, the n points flattened
     * (n * input size). Signature inputs that are not explained keep the instance's value.
     */
    public Evaluation evaluate(Instance instance, ExplainedOutput output, Target target, Map<String, float[]> points,
            int n, boolean withGradients) {
        Map<Output<?>, HostTensor> feeds = new LinkedHashMap<>();
        for (ExplainedInput in : model.explainedInputs()) {
            long[] shape = instance.explainedValues().get(in.key()).shape();
            feeds.put(in.tensor(), HostTensor.floats(prepend(n, shape), points.get(in.key())));
        }
        for (TensorSpec s : model.signatureInputs()) {
            boolean explained = model.explainedInputs().stream().anyMatch(e -> s.key().equals(e.signatureKey()));
            if (!explained) {
                feeds.put(model.graphTensor(s.tensorName()),
                        HostTensor.stack(Collections.nCopies(n, instance.signatureValues().get(s.key()))));
            }
        }
        feeds.put(output.mask().asOutput(), target.mask());
        List<Output<?>> fetches = new ArrayList<>();
        fetches.add(output.target());
        if (withGradients) {
            fetches.addAll(Arrays.asList(output.gradients()));
        }
        List<HostTensor> results = model.run(feeds, fetches);
        float[][] grads = new float[withGradients ? results.size() - 1 : 0][];
        for (int i = 0; i < grads.length; i++) {
            grads[i] = results.get(1 + i).floats();
        }
        return new Evaluation(results.get(0).floats(), grads);
    }

    static long[] prepend(long n, long[] shape) {
        long[] s = new long[shape.length + 1];
        s[0] = n;
        System.arraycopy(shape, 0, s, 1, shape.length);
        return s;
    }
}
