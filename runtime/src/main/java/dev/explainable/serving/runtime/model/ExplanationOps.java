package dev.explainable.serving.runtime.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

import dev.explainable.serving.runtime.metadata.ExplanationMetadata;
import dev.explainable.serving.runtime.metadata.ExplanationMetadata.OutputMetadata;
import dev.explainable.serving.runtime.metadata.MetadataException;

/**
 * The ops added to the graph once, at load, for explanations: per explained output a mask placeholder that selects
 * one label per example, the target (the masked output summed per example) and, where asked, the target's gradients
 * with respect to every explained input. One run of the target with a mask row per point gives each point's score,
 * and its gradients, whatever label each point explains.
 *
 * <p>The ops live under {@code explain_target_<output>}; the gradients are TensorFlow's C++ ones
 * ({@link Graph#addGradients}), which is why {@link FunctionInliner} first copies function bodies into the graph.
 */
final class ExplanationOps {

    private ExplanationOps() {}

    /**
     * The explained outputs of {@code metadata}, each with its target and gradient ops.
     *
     * @param inputs the explained inputs, in the order of each output's gradients
     * @param withGradients whether to build the gradient ops (Integrated Gradients and XRAI need them; Sampled
     *     Shapley runs forward only)
     */
    static List<ExplainedOutput> build(
            Graph graph,
            FunctionInliner tensors,
            ExplanationMetadata metadata,
            List<ExplainedInput> inputs,
            boolean withGradients) {
        Output<?>[] xs = inputs.stream().map(ExplainedInput::tensor).toArray(Output<?>[]::new);
        List<ExplainedOutput> explainedOutputs = new ArrayList<>();
        for (Map.Entry<String, OutputMetadata> e : metadata.outputs().entrySet()) {
            String name = e.getValue().outputTensorName();
            Output<?> y = SignatureBinding.resolve(tensors, name, "output '" + e.getKey() + "'");
            long[] shape = Tensors.withoutBatch(y.shape());
            if (shape == null || Arrays.stream(shape).anyMatch(d -> d < 0)) {
                throw new MetadataException("output '" + e.getKey() + "': tensor " + name + " has shape " + y.shape()
                        + "; only the batch dimension may be unknown");
            }
            Ops tf = Ops.create(graph).withSubScope("explain_target_" + sanitize(e.getKey()));
            Operand<TFloat32> yf =
                    y.dataType() == DataType.DT_FLOAT ? y.expect(TFloat32.class) : tf.dtypes.cast(y, TFloat32.class);
            // per example: [batch, ...output shape], so that each row may select its own label
            long[] batched = new long[shape.length + 1];
            batched[0] = -1;
            System.arraycopy(shape, 0, batched, 1, shape.length);
            Placeholder<TFloat32> mask = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(batched)));
            TopClass top = shape.length == 0 ? null : topClass(tf, yf, batched);
            // the chosen rows' one-hot added to the fed mask (zeros on those rows); no gradient flows into the choice
            Operand<TFloat32> selected = top == null
                    ? tf.math.mul(yf, mask)
                    : tf.math.mul(yf, tf.stopGradient(tf.math.add(mask, top.mask())));
            Operand<TFloat32> target = shape.length == 0
                    ? selected
                    : tf.sum(
                            selected,
                            tf.constant(IntStream.rangeClosed(1, shape.length).toArray()));
            Output<?>[] grads = withGradients
                    ? gradients(graph, target.asOutput(), xs, e.getKey(), tensors.loopsNotUnrolled())
                    : new Output<?>[0];
            for (int i = 0; i < grads.length; i++) {
                if (grads[i] == null) {
                    throw new MetadataException("output '" + e.getKey() + "' does not depend on input '"
                            + inputs.get(i).key() + "' ("
                            + inputs.get(i).info().spec().tensorName() + ")");
                }
            }
            explainedOutputs.add(new ExplainedOutput(
                    new OutputInfo(e.getKey(), shape, e.getValue().indexNameMapping()),
                    y,
                    mask,
                    top == null ? null : top.source(),
                    top == null ? null : top.chosen(),
                    top == null ? null : top.label(),
                    target.asOutput(),
                    grads));
        }
        return explainedOutputs;
    }

    /**
     * The ops that let a run choose a row's label itself, so that an explanation of the top class needs no forward
     * run of its own first (see {@link TopClassScores}): {@code source} gives, per row, how many rows further on the
     * row lies whose top class it explains (the explained instance, fed as the run's last row), {@code chosen} 1 where
     * that choice applies and 0 where the fed mask says the label. {@code label} is each row's top class by
     * {@code source}, {@code mask} its one-hot where chosen. The top class is tf.argmax's: the first of equal scores,
     * as {@link LabelTargets#of} ranks them.
     */
    private record TopClass(
            Placeholder<TInt32> source, Placeholder<TFloat32> chosen, Output<TInt64> label, Operand<TFloat32> mask) {}

    private static TopClass topClass(Ops tf, Operand<TFloat32> yf, long[] batched) {
        long labels = 1;
        for (int i = 1; i < batched.length; i++) {
            labels *= batched[i];
        }
        Placeholder<TInt32> source =
                tf.withName("label_source").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
        Placeholder<TFloat32> chosen =
                tf.withName("label_chosen").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1)));
        Operand<TFloat32> scores = tf.reshape(tf.stopGradient(yf), tf.constant(new long[] {-1, labels}));
        Operand<TInt32> rows = tf.math.add(tf.range(tf.constant(0), tf.size(source), tf.constant(1)), source);
        Output<TInt64> label = tf.math
                .argMax(tf.gather(scores, rows, tf.constant(0)), tf.constant(1))
                .output();
        Operand<TFloat32> oneHot = tf.oneHot(label, tf.constant((int) labels), tf.constant(1f), tf.constant(0f));
        Operand<TFloat32> picked = tf.math.mul(oneHot, tf.expandDims(chosen, tf.constant(1)));
        return new TopClass(source, chosen, label, tf.reshape(picked, tf.constant(batched)));
    }

    /**
     * The gradients of {@code target} with respect to {@code xs}. TensorFlow's C++ registry lacks gradients for some
     * ops (the While loops and TensorList ops of recurrent layers, lookups): the error names the op and the method
     * that needs none.
     */
    private static Output<?>[] gradients(
            Graph graph, Output<?> target, Output<?>[] xs, String output, Set<String> loopsNotUnrolled) {
        try {
            return graph.addGradients(target, xs);
        } catch (RuntimeException e) {
            String message = e.getMessage() == null ? e.toString() : Tensors.firstLine(e.getMessage());
            if (message.contains("No gradient defined")) {
                String loops = loopsNotUnrolled.isEmpty()
                        ? ""
                        : "; a loop could not be unrolled: " + String.join("; ", loopsNotUnrolled);
                throw new MetadataException("output '" + output + "': TensorFlow has no gradient for an op between the"
                        + " explained inputs and this output (" + message + loops + "); integrated-gradients and xrai"
                        + " need gradients: use explain.method=sampled-shapley, which runs the model forward only");
            }
            throw new MetadataException("output '" + output + "': the gradient ops could not be built: " + message);
        }
    }

    private static String sanitize(String s) {
        return s.replaceAll("[^A-Za-z0-9_.\\-]", "_");
    }
}
