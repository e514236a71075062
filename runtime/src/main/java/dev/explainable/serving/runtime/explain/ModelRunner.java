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
import dev.explainable.serving.runtime.work.LimitExceededException;

/**
 * What every attribution method asks of the model: the forward run of a request's instances, and the explained
 * score (optionally with its gradients) at a batch of points in the explained inputs' space.
 */
public final class ModelRunner {

    private final ServingModel model;
    private final long maxBatchElements;

    public ModelRunner(ServingModel model) {
        this(model, Long.MAX_VALUE);
    }

    /** @param maxBatchElements most input values fed in one TensorFlow run (explain.limits.max-batch-elements) */
    public ModelRunner(ServingModel model, long maxBatchElements) {
        this.model = model;
        this.maxBatchElements = maxBatchElements;
    }

    /**
     * How many points of {@code elementsPerPoint} values one run may take: {@code batchSize}, fewer where the
     * element cap says so. Refuses a single point over the cap, which no batch size could run.
     */
    public int pointsPerRun(int batchSize, long elementsPerPoint) {
        long e = Math.max(1, elementsPerPoint);
        if (e > maxBatchElements) {
            throw new LimitExceededException("one instance has " + e + " input values, more than the "
                    + maxBatchElements + " one model run may take (explain.limits.max-batch-elements)");
        }
        return (int) Math.max(1, Math.min(batchSize, maxBatchElements / e));
    }

    /** The values of the explained inputs of one instance: what each path point or perturbation feeds. */
    public long explainedElements(Instance instance) {
        long n = 0;
        for (HostTensor t : instance.explainedValues().values()) {
            n += t.size();
        }
        return n;
    }

    /**
     * Consecutive instances that can share a run: the same shape for every input, and together within the element
     * cap. Instances of a free-size model may differ in size; each group is stacked and run on its own.
     */
    List<List<Integer>> runGroups(List<Map<String, HostTensor>> instances) {
        List<List<Integer>> groups = new ArrayList<>();
        List<Integer> current = new ArrayList<>();
        long elements = 0;
        for (int i = 0; i < instances.size(); i++) {
            long size = 0;
            for (HostTensor t : instances.get(i).values()) {
                size += Math.max(1, t.size());
            }
            pointsPerRun(1, size);
            boolean fits = !current.isEmpty() && elements + size <= maxBatchElements
                    && sameShapes(instances.get(current.get(0)), instances.get(i));
            if (!current.isEmpty() && !fits) {
                groups.add(current);
                current = new ArrayList<>();
                elements = 0;
            }
            current.add(i);
            elements += size;
        }
        if (!current.isEmpty()) {
            groups.add(current);
        }
        return groups;
    }

    private static boolean sameShapes(Map<String, HostTensor> a, Map<String, HostTensor> b) {
        for (Map.Entry<String, HostTensor> e : a.entrySet()) {
            HostTensor other = b.get(e.getKey());
            if (other == null || !Arrays.equals(e.getValue().shape(), other.shape())) {
                return false;
            }
        }
        return true;
    }

    private Map<Output<?>, HostTensor> signatureFeeds(List<Map<String, HostTensor>> instances, List<Integer> group) {
        Map<Output<?>, HostTensor> feeds = new LinkedHashMap<>();
        for (TensorSpec s : model.signatureInputs()) {
            List<HostTensor> column = new ArrayList<>();
            group.forEach(i -> column.add(instances.get(i).get(s.key())));
            feeds.put(model.graphTensor(s.tensorName()), HostTensor.stack(column));
        }
        return feeds;
    }

    /** The signature's outputs per instance (predict), in instance order. */
    public List<Map<String, HostTensor>> predict(List<Map<String, HostTensor>> instances) {
        Map<String, String> outputs = model.signatureOutputs();
        List<Output<?>> fetches = outputs.values().stream().<Output<?>>map(model::graphTensor).toList();
        List<Map<String, HostTensor>> out = new ArrayList<>(Collections.nCopies(instances.size(), null));
        for (List<Integer> group : runGroups(instances)) {
            List<HostTensor> results = model.run(signatureFeeds(instances, group), fetches);
            for (int g = 0; g < group.size(); g++) {
                Map<String, HostTensor> row = new LinkedHashMap<>();
                int k = 0;
                for (String key : outputs.keySet()) {
                    row.put(key, results.get(k++).item(g));
                }
                out.set(group.get(g), row);
            }
        }
        return out;
    }

    public ServingModel model() {
        return model;
    }

    /** Decoded instances (by signature input key) -> explained values and outputs, in forward runs. */
    public List<Instance> forward(List<Map<String, HostTensor>> instances) {
        List<Output<?>> fetches = new ArrayList<>();
        List<ExplainedInput> internal = model.explainedInputs().stream().filter(e -> !e.isSignatureInput()).toList();
        internal.forEach(e -> fetches.add(e.tensor()));
        model.explainedOutputs().forEach(o -> fetches.add(o.tensor()));
        List<Instance> out = new ArrayList<>(Collections.nCopies(instances.size(), null));
        for (List<Integer> group : runGroups(instances)) {
            List<HostTensor> results = model.run(signatureFeeds(instances, group), fetches);
            for (int g = 0; g < group.size(); g++) {
                Map<String, HostTensor> signature = instances.get(group.get(g));
                Map<String, HostTensor> explained = new LinkedHashMap<>();
                int r = 0;
                for (ExplainedInput e : model.explainedInputs()) {
                    explained.put(e.key(), e.isSignatureInput() ? signature.get(e.signatureKey())
                            : results.get(r++).item(g));
                }
                Map<String, HostTensor> outputs = new LinkedHashMap<>();
                for (ExplainedOutput o : model.explainedOutputs()) {
                    outputs.put(o.key(), results.get(r++).item(g));
                }
                out.set(group.get(g), new Instance(signature, explained, outputs));
            }
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
