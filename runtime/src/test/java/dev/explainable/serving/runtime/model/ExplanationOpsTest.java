package dev.explainable.serving.runtime.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

import dev.explainable.serving.runtime.metadata.MetadataException;
import dev.explainable.serving.runtime.metadata.MetadataLoader;
import dev.explainable.serving.runtime.tensor.DType;
import dev.explainable.serving.runtime.tensor.HostTensor;

/**
 * The target and gradient ops on a graph built here: {@code y = x * [2, 3, 4]} per example, a vector output of three
 * labels, and {@code s = sum(x)}, a scalar one. The target of a label is that label's score, its gradient that
 * label's row of the Jacobian, one mask row per example. {@code u} depends on no explained input,
 * {@code free} has a free size besides the batch's.
 */
class ExplanationOpsTest {

    static final String METADATA = """
            {"framework": "tensorflow",
             "inputs": {"x": {"input_tensor_name": "x:0"}},
             "outputs": {"y": {"output_tensor_name": "y:0", "index_name_mapping": ["a", "b", "c"]},
                         "s": {"output_tensor_name": "s:0"}}}
            """;

    static Signature graph(Ops tf) {
        Placeholder<TFloat32> x = tf.withName("x").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 3)));
        Operand<TFloat32> y = tf.withName("y").math.mul(x, tf.constant(new float[] {2, 3, 4}));
        Operand<TFloat32> s = tf.withName("s").sum(x, tf.constant(1));
        Placeholder<TFloat32> unused =
                tf.withName("unused").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 2)));
        Placeholder<TFloat32> free =
                tf.withName("free").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, -1)));
        return Signature.builder()
                .input("x", x)
                .input("free", free)
                .input("unused", unused)
                .output("y", y)
                .output("s", s)
                .output("u", tf.withName("u").identity(unused))
                .build();
    }

    static List<ExplainedOutput> build(Graph g, String metadataJson, boolean withGradients) {
        FunctionInliner tensors = new FunctionInliner(g);
        SignatureBinding binding =
                SignatureBinding.bind(graph(Ops.create(g)), MetadataLoader.parse(metadataJson), tensors);
        return ExplanationOps.build(g, tensors, binding.metadata(), binding.inputs(), withGradients);
    }

    /** Runs the target and its gradient for two examples, each with its own mask row. */
    static List<HostTensor> run(Graph g, ExplainedOutput o, float[] x, float[] masks, long[] maskShape) {
        return run(g, o, x, masks, maskShape, new int[2], new float[2]);
    }

    /**
     * As {@link #run(Graph, ExplainedOutput, float[], float[], long[])}, each example's label where {@code chosen} is
     * 1 the top class of the example {@code source} rows on; a scalar output is fed neither. With a vector output,
     * the chosen labels are the third result.
     */
    static List<HostTensor> run(
            Graph g, ExplainedOutput o, float[] x, float[] masks, long[] maskShape, int[] source, float[] chosen) {
        try (Session session = new Session(g);
                Tensor xs = Tensors.toTensor(HostTensor.floats(new long[] {2, 3}, x));
                Tensor ms = Tensors.toTensor(HostTensor.floats(maskShape, masks));
                Tensor src = Tensors.toTensor(new HostTensor(DType.INT32, new long[] {2}, source));
                Tensor ch = Tensors.toTensor(HostTensor.floats(new long[] {2}, chosen))) {
            Session.Runner runner = session.runner()
                    .feed(g.outputOrThrow("x:0"), xs)
                    .feed(o.mask().asOutput(), ms)
                    .fetch(o.target())
                    .fetch(o.gradients()[0]);
            if (o.choosesLabels()) {
                runner.feed(o.labelSource().asOutput(), src)
                        .feed(o.labelChosen().asOutput(), ch)
                        .fetch(o.topLabel());
            }
            try (Result r = runner.run()) {
                return o.choosesLabels()
                        ? List.of(Tensors.toHost(r.get(0)), Tensors.toHost(r.get(1)), Tensors.toHost(r.get(2)))
                        : List.of(Tensors.toHost(r.get(0)), Tensors.toHost(r.get(1)));
            }
        }
    }

    @Test
    void eachExampleExplainsTheLabelItsMaskSelects() {
        try (Graph g = new Graph()) {
            List<ExplainedOutput> outputs = build(g, METADATA, true);
            assertEquals(
                    List.of("y", "s"),
                    outputs.stream().map(ExplainedOutput::key).toList());
            ExplainedOutput y = outputs.get(0);
            assertArrayEquals(new long[] {3}, y.info().shape(), "without the batch dimension");
            assertEquals(List.of("a", "b", "c"), y.info().indexNameMapping());
            assertEquals("y", y.tensor().op().name());
            assertEquals(1, y.gradients().length, "one per explained input");

            // example 0 explains label b, example 1 label c
            List<HostTensor> r =
                    run(g, y, new float[] {1, 1, 1, 1, 2, 5}, new float[] {0, 1, 0, 0, 0, 1}, new long[] {2, 3});
            assertArrayEquals(new float[] {3, 20}, r.get(0).floats());
            assertArrayEquals(new float[] {0, 3, 0, 0, 0, 4}, r.get(1).floats());
        }
    }

    @Test
    void aRunChoosesTheTopClassAtTheRowEachExampleNames() {
        try (Graph g = new Graph()) {
            ExplainedOutput y = build(g, METADATA, true).get(0);
            assertTrue(y.choosesLabels());
            // example 1 ([1, 2, 5]: y = [2, 6, 20]) has top class c; example 0 ([3, 1, 1]: y = [6, 3, 4]) has a.
            // Both explain example 1's top class (source 1 and 0 rows on), with zero masks
            float[] x = {3, 1, 1, 1, 2, 5};
            List<HostTensor> r = run(g, y, x, new float[6], new long[] {2, 3}, new int[] {1, 0}, new float[] {1, 1});
            assertArrayEquals(new float[] {4, 20}, r.get(0).floats(), "each example's score of class c");
            assertArrayEquals(new float[] {0, 0, 4, 0, 0, 4}, r.get(1).floats(), "the gradient of c alone");
            assertArrayEquals(new long[] {2, 2}, (long[]) r.get(2).data());

            // each its own top class (source 0)
            r = run(g, y, x, new float[6], new long[] {2, 3}, new int[] {0, 0}, new float[] {1, 1});
            assertArrayEquals(new float[] {6, 20}, r.get(0).floats());
            assertArrayEquals(new float[] {2, 0, 0, 0, 0, 4}, r.get(1).floats());
            assertArrayEquals(new long[] {0, 2}, (long[]) r.get(2).data());

            // not chosen: the mask's label, whatever the source says (example 0 label b, example 1 label a)
            r = run(g, y, x, new float[] {0, 1, 0, 1, 0, 0}, new long[] {2, 3}, new int[] {1, 0}, new float[2]);
            assertArrayEquals(new float[] {3, 2}, r.get(0).floats());
            assertArrayEquals(new float[] {0, 3, 0, 2, 0, 0}, r.get(1).floats());
        }
    }

    @Test
    void equalScoresChooseTheFirstClassAsTheRankingDoes() {
        try (Graph g = new Graph()) {
            ExplainedOutput y = build(g, METADATA, true).get(0);
            // [3, 2, 1.5] scores [6, 6, 6]: a three-way tie; LabelTargets ranks the lowest index first
            List<HostTensor> r = run(
                    g,
                    y,
                    new float[] {3, 2, 1.5f, 3, 2, 1.5f},
                    new float[6],
                    new long[] {2, 3},
                    new int[2],
                    new float[] {1, 1});
            assertArrayEquals(new long[] {0, 0}, (long[]) r.get(2).data());
        }
    }

    @Test
    void aScalarOutputIsItsOwnTarget() {
        try (Graph g = new Graph()) {
            ExplainedOutput s = build(g, METADATA, true).get(1);
            assertArrayEquals(new long[0], s.info().shape());
            List<HostTensor> r = run(g, s, new float[] {1, 2, 3, 4, 5, 6}, new float[] {1, 1}, new long[] {2});
            assertArrayEquals(new float[] {6, 15}, r.get(0).floats());
            assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1}, r.get(1).floats());
            assertTrue(!s.choosesLabels(), "one label: nothing to choose");
        }
    }

    @Test
    void forwardOnlyMethodsGetNoGradientOps() {
        try (Graph g = new Graph()) {
            List<ExplainedOutput> outputs = build(g, METADATA, false);
            assertTrue(outputs.stream().allMatch(o -> o.gradients().length == 0));
        }
    }

    /** The refusal of a model explaining input {@code x} for the output {@code outputJson} describes. */
    static String refusal(String outputJson) {
        String metadata = """
                {"framework": "tensorflow", "inputs": {"x": {"input_tensor_name": "x:0"}}, "outputs": %s}
                """.formatted(outputJson);
        try (Graph g = new Graph()) {
            return assertThrows(MetadataException.class, () -> build(g, metadata, true))
                    .getMessage();
        }
    }

    @Test
    void refusesOutputsThatCannotBeExplained() {
        assertEquals(
                "output 'u': the gradient ops could not be built: Cannot compute the partial derivative for node 'x'"
                        + " as it's unreachable from the output node(s)",
                refusal("{\"u\": {\"output_tensor_name\": \"u:0\"}}"));
        String free = refusal("{\"f\": {\"output_tensor_name\": \"free:0\"}}");
        assertTrue(
                free.startsWith("output 'f': tensor free:0 has shape ")
                        && free.endsWith("; only the batch dimension may be unknown"),
                free);
        assertEquals(
                "output 'y': tensor nowhere:0 is not in the model's graph",
                refusal("{\"y\": {\"output_tensor_name\": \"nowhere:0\"}}"));
    }
}
