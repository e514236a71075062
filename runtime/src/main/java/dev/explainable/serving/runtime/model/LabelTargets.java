package dev.explainable.serving.runtime.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.explainable.serving.runtime.tensor.HostTensor;
import dev.explainable.serving.runtime.work.InvalidInstanceException;

/**
 * The labels explained for one instance's output, from its forward run: the top-scoring ones or those the request
 * names ({@link LabelSelection}), each with the mask that selects it in the output's target (see
 * {@link ExplanationOps}). Pure: it reads the output's values, it runs nothing.
 */
public final class LabelTargets {

    private LabelTargets() {}

    /** The top class of a vector output ({@code -1} for a scalar per example), as AI Platform explains it. */
    public static LabelTarget top(ForwardResult instance, OutputInfo output) {
        return of(instance, output, LabelSelection.TOP).get(0);
    }

    /**
     * The labels {@code selection} picks for one output: a scalar output has one ({@code -1}); a vector output its
     * top-k by score (ties by index) or the given indices, which must lie inside the output.
     */
    public static List<LabelTarget> of(ForwardResult instance, OutputInfo output, LabelSelection selection) {
        if (output.shape().length == 0) { // its static shape, as count says: no values needed
            return List.of(scalar(output));
        }
        HostTensor y = instance.outputs().get(output.key());
        List<Integer> labels;
        if (selection.indices() != null) {
            checkIndices(selection.indices(), y.size(), output);
            labels = selection.indices();
        } else {
            Integer[] order = new Integer[y.size()];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (p, q) -> {
                int c = Double.compare(
                        y.dtype().numberAt(y.data(), q), y.dtype().numberAt(y.data(), p));
                return c != 0 ? c : Integer.compare(p, q);
            });
            int k = selection.topK() < 0 ? order.length : Math.min(selection.topK(), order.length);
            labels = Arrays.asList(order).subList(0, k);
        }
        List<LabelTarget> targets = new ArrayList<>(labels.size());
        for (int label : labels) {
            targets.add(at(output, label));
        }
        return targets;
    }

    /** Label {@code label} of a vector output: its mask and its name, where the output names its labels. */
    public static LabelTarget at(OutputInfo output, int label) {
        float[] mask = new float[(int) HostTensor.elements(output.shape())];
        mask[label] = 1f;
        String name = output.indexNameMapping() != null
                        && label < output.indexNameMapping().size()
                ? output.indexNameMapping().get(label)
                : null;
        return new LabelTarget(label, name, HostTensor.floats(output.shape(), mask));
    }

    /** The one label of a scalar output ({@code -1}). */
    private static LabelTarget scalar(OutputInfo output) {
        return new LabelTarget(-1, null, HostTensor.floats(output.shape(), new float[] {1f}));
    }

    /**
     * How many labels {@link #of} picks, without the output's values (what the work bound counts before any run):
     * 1 for a scalar output, else {@link LabelSelection#count}, the indices checked against the output's size.
     */
    public static int count(OutputInfo output, LabelSelection selection) {
        if (output.shape().length == 0) {
            return 1;
        }
        int size = (int) HostTensor.elements(output.shape());
        if (selection.indices() != null) {
            checkIndices(selection.indices(), size, output);
        }
        return selection.count(size);
    }

    private static void checkIndices(List<Integer> indices, int size, OutputInfo output) {
        for (int i : indices) {
            if (i < 0 || i >= size) {
                throw new InvalidInstanceException("output index " + i + " is outside output '" + output.key()
                        + "', which has " + size + " values");
            }
        }
    }
}
