package dev.explainable.serving.runtime.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TUint8;
import org.tensorflow.types.family.TType;

import dev.explainable.serving.runtime.metadata.ExplanationMetadata;
import dev.explainable.serving.runtime.metadata.MetadataException;
import dev.explainable.serving.runtime.metadata.MetadataLoader;
import dev.explainable.serving.runtime.tensor.DType;
import dev.explainable.serving.runtime.tensor.SparseSpec;
import dev.explainable.serving.runtime.tensor.TensorSpec;

/**
 * The signature and the metadata bound to a graph, on small graphs built here with TensorFlow's Ops API (no
 * SavedModel): what each input resolves to, the metadata inferred without one, and every refusal of a sparse input.
 */
class SignatureBindingTest {

    /** Builds a graph with {@code build}, which returns its signature, and binds it with {@code metadataJson}. */
    static SignatureBinding bind(Function<Ops, Signature> build, String metadataJson) {
        try (Graph g = new Graph()) {
            Signature signature = build.apply(Ops.create(g));
            ExplanationMetadata metadata = metadataJson == null ? null : MetadataLoader.parse(metadataJson);
            return SignatureBinding.bind(signature, metadata, new FunctionInliner(g));
        }
    }

    static String refusal(Function<Ops, Signature> build, String metadataJson) {
        return assertThrows(MetadataException.class, () -> bind(build, metadataJson))
                .getMessage();
    }

    /** One input {@code name} of {@code type}, [batch, 2], and its identity as the output {@code y}. */
    static <T extends TType> Function<Ops, Signature> identityOf(String name, Class<T> type) {
        return tf -> {
            Placeholder<T> input = tf.withName(name).placeholder(type, Placeholder.shape(Shape.of(-1, 2)));
            return Signature.builder()
                    .input(name, input)
                    .output("y", tf.identity(input))
                    .build();
        };
    }

    /** float32 features [batch, 3], int64 ids [batch, 4] looked up in a 5 x 2 embedding; a score per example. */
    static Signature tabularWithIds(Ops tf) {
        Placeholder<TFloat32> x = tf.withName("x").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 3)));
        Placeholder<TInt64> ids = tf.withName("ids").placeholder(TInt64.class, Placeholder.shape(Shape.of(-1, 4)));
        Operand<TFloat32> embedding = tf.withName("embedding")
                .gather(tf.constant(new float[][] {{0, 1}, {1, 0}, {1, 1}, {2, 0}, {0, 2}}), ids, tf.constant(0));
        Operand<TFloat32> score = tf.withName("score")
                .math
                .add(tf.sum(x, tf.constant(1)), tf.sum(embedding, tf.constant(new int[] {1, 2})));
        return Signature.builder()
                .key("serving_default")
                .input("features", x)
                .input("ids", ids)
                .output("score", score)
                .output("embedding", embedding)
                .build();
    }

    @Test
    void withoutMetadataEveryFloatInputIsExplainedAgainstTheFirstOutput() {
        SignatureBinding b = bind(SignatureBindingTest::tabularWithIds, null);
        assertTrue(b.metadataInferred());
        assertEquals(List.of("features"), List.copyOf(b.metadata().inputs().keySet()), "int64 ids are not explained");
        assertEquals("x:0", b.metadata().inputs().get("features").inputTensorName());
        assertEquals(List.of("score"), List.copyOf(b.metadata().outputs().keySet()));
        assertEquals(Map.of("score", "score:0", "embedding", "embedding:0"), b.signatureOutputs());

        List<TensorSpec> inputs = b.signatureInputs();
        assertEquals(
                List.of("features", "ids"), inputs.stream().map(TensorSpec::key).toList());
        assertEquals(DType.FLOAT, inputs.get(0).dtype());
        assertArrayEquals(new long[] {3}, inputs.get(0).shape(), "without the batch dimension");
        assertEquals(DType.INT64, inputs.get(1).dtype());
        assertArrayEquals(new long[] {4}, inputs.get(1).shape());

        InputInfo features = b.inputs().get(0).info();
        assertEquals("features", features.key());
        assertEquals("features", features.signatureKey());
        assertEquals("features", features.requestKey());
        assertTrue(features.isSignatureInput());
        assertArrayEquals(new long[] {3}, features.spec().shape());
        assertNull(features.sparse());
    }

    @Test
    void anEmbeddingIsExplainedOnItsEncodedTensorAndRequestedByItsIds() {
        SignatureBinding b = bind(SignatureBindingTest::tabularWithIds, """
                {"framework": "tensorflow",
                 "inputs": {"tokens": {"input_tensor_name": "ids:0", "encoding": "concat_embedding",
                                       "encoded_tensor_name": "embedding:0"}},
                 "outputs": {"score": {"output_tensor_name": "score:0"}}}
                """);
        assertFalse(b.metadataInferred());
        InputInfo tokens = b.inputs().get(0).info();
        assertEquals("embedding:0", tokens.spec().tensorName());
        assertEquals(DType.FLOAT, tokens.spec().dtype());
        assertArrayEquals(new long[] {4, 2}, tokens.spec().shape(), "the embedding, computed inside the graph");
        assertEquals(DType.INT64, tokens.input().dtype());
        assertArrayEquals(new long[] {4}, tokens.input().shape(), "the ids requests send");
        assertNull(tokens.signatureKey(), "fed by no signature input");
        assertFalse(tokens.isSignatureInput());
        assertEquals("ids", tokens.requestKey(), "requests send the ids");
    }

    @Test
    void refusesWhatItCannotExplainOrFeed() {
        assertTrue(refusal(SignatureBindingTest::tabularWithIds, """
                        {"framework": "tensorflow",
                         "inputs": {"tokens": {"input_tensor_name": "ids:0"}},
                         "outputs": {"score": {"output_tensor_name": "score:0"}}}
                        """)
                .contains("input 'tokens': tensor ids:0 is DT_INT64; attributions need a float32 tensor"));
        assertTrue(refusal(SignatureBindingTest::tabularWithIds, """
                        {"framework": "tensorflow",
                         "inputs": {"a": {"input_tensor_name": "nowhere:0"}},
                         "outputs": {"score": {"output_tensor_name": "score:0"}}}
                        """)
                .contains("input 'a': tensor nowhere:0 is not in the model's graph"));
        assertTrue(refusal(identityOf("pixels", TUint8.class), null)
                .contains("signature input 'pixels' is DT_UINT8, which the runtime cannot feed"));
        assertTrue(refusal(identityOf("ids", TInt64.class), null).contains("no float32 input to explain by default"));
    }

    @Test
    void theMetadataChoosesTheSignatureAndInputsAreTheGraphsTensors() {
        try (Graph g = new Graph()) {
            Ops tf = Ops.create(g);
            Signature serving = tabularWithIds(tf);
            ExplanationMetadata named = MetadataLoader.parse("""
                    {"framework": "tensorflow",
                     "inputs": {"features": {"input_tensor_name": "x:0"}},
                     "outputs": {"score": {"output_tensor_name": "score:0"}}, "serving_sigdef_key": "other"}
                    """);
            assertEquals(serving, SignatureBinding.select(List.of(serving), null, "serving_default"));
            SignatureBinding b = SignatureBinding.bind(serving, null, new FunctionInliner(g));
            assertEquals("x", b.inputs().get(0).tensor().op().name(), "the graph's own tensor");
            String message = assertThrows(
                            MetadataException.class,
                            () -> SignatureBinding.select(List.of(serving), named, "serving_default"))
                    .getMessage();
            assertEquals("the SavedModel has no signature 'other' (it has [serving_default])", message);
        }
    }

    /**
     * A sparse input as TensorFlow exports a {@code tf.SparseTensorSpec} argument: indices {@code x} of shape
     * {@code indicesShape}, values {@code x_1} {@code [None]}, dense shape {@code x_2} of shape {@code shapeShape};
     * {@code doubled} is a float tensor computed from the values.
     */
    static Function<Ops, Signature> sparse(long[] indicesShape, long[] shapeShape) {
        return tf -> {
            Placeholder<TInt64> indices =
                    tf.withName("x").placeholder(TInt64.class, Placeholder.shape(Shape.of(indicesShape)));
            Placeholder<TFloat32> values =
                    tf.withName("x_1").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1)));
            Placeholder<TInt64> denseShape =
                    tf.withName("x_2").placeholder(TInt64.class, Placeholder.shape(Shape.of(shapeShape)));
            tf.withName("doubled").math.mul(values, tf.constant(2f));
            return Signature.builder()
                    .input("x", indices)
                    .input("x_1", values)
                    .input("x_2", denseShape)
                    .output("y", tf.sum(values, tf.constant(0)))
                    .build();
        };
    }

    static String sparseMetadata(String values, String indices, String denseShape) {
        return """
                {"framework": "tensorflow",
                 "inputs": {"bag": {"input_tensor_name": "%s", "indices_tensor_name": "%s",
                                    "dense_shape_tensor_name": "%s", "index_feature_mapping": ["a", "b", "c"]}},
                 "outputs": {"y": {"output_tensor_name": "y:0"}}}
                """.formatted(values, indices, denseShape);
    }

    @Test
    void aSparseInputIsBoundToItsThreeSignatureInputs() {
        SignatureBinding b = bind(sparse(new long[] {-1, 2}, new long[] {2}), sparseMetadata("x_1:0", "x:0", "x_2:0"));
        InputInfo bag = b.inputs().get(0).info();
        assertEquals(new SparseSpec("bag", "x_1", "x", "x_2", 1, 3), bag.sparse());
        assertArrayEquals(new long[] {-1}, bag.spec().shape(), "one value per stored value");
        assertEquals("x_1", bag.signatureKey());
        Map<String, long[]> shapes = new HashMap<>();
        b.signatureInputs().forEach(s -> shapes.put(s.key(), s.shape()));
        assertArrayEquals(new long[] {-1, 1}, shapes.get("x"), "one instance's indices, without the batch coordinate");
        assertArrayEquals(new long[] {-1}, shapes.get("x_1"));
        assertArrayEquals(new long[] {1}, shapes.get("x_2"));
    }

    @Test
    void refusesSparseInputsTensorFlowWouldNotExport() {
        Function<Ops, Signature> rank2 = sparse(new long[] {-1, 2}, new long[] {2});
        assertEquals(
                "input 'bag' (sparse): the values, indices and dense shape must be inputs of the serving signature"
                        + " (as TensorFlow exports a tf.SparseTensorSpec argument); input_tensor_name doubled:0 is not"
                        + " one (sparse tensors computed inside the graph are not supported)",
                refusal(rank2, sparseMetadata("doubled:0", "x:0", "x_2:0")));
        assertEquals(
                "input 'bag' (sparse): values, indices and dense shape must be three different tensors",
                refusal(rank2, sparseMetadata("x_1:0", "x:0", "x:0")));
        assertEquals(
                "input 'bag' (sparse): the values (x:0) must be float32, not int64",
                refusal(rank2, sparseMetadata("x:0", "x_1:0", "x_2:0")));
        assertEquals(
                "input 'bag' (sparse): the indices have 3 coordinates but the dense shape 2 sizes",
                refusal(sparse(new long[] {-1, 3}, new long[] {2}), sparseMetadata("x_1:0", "x:0", "x_2:0")));
        assertTrue(refusal(sparse(new long[] {-1, -1}, new long[] {-1}), sparseMetadata("x_1:0", "x:0", "x_2:0"))
                .startsWith("input 'bag' (sparse): the rank of the sparse tensor is unknown"));
        assertEquals(
                "input 'bag' (sparse): a sparse input needs a batch dimension and at least one more (its indices"
                        + " have 1 coordinates)",
                refusal(sparse(new long[] {-1, 1}, new long[] {1}), sparseMetadata("x_1:0", "x:0", "x_2:0")));
        assertEquals(
                "input 'bag' (sparse): the dense shape (x_2:0) must have rank 1, not shape [-1, 2]",
                refusal(sparse(new long[] {-1, 2}, new long[] {-1, 2}), sparseMetadata("x_1:0", "x:0", "x_2:0")));
        assertTrue(refusal(
                        tf -> {
                            Placeholder<TInt32> indices =
                                    tf.withName("x").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, 2)));
                            Placeholder<TFloat32> values =
                                    tf.withName("x_1").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1)));
                            Placeholder<TInt64> denseShape =
                                    tf.withName("x_2").placeholder(TInt64.class, Placeholder.shape(Shape.of(2)));
                            return Signature.builder()
                                    .input("x", indices)
                                    .input("x_1", values)
                                    .input("x_2", denseShape)
                                    .output("y", tf.sum(values, tf.constant(0)))
                                    .build();
                        },
                        sparseMetadata("x_1:0", "x:0", "x_2:0"))
                .equals("input 'bag' (sparse): the indices (x:0) must be int64, not int32"));
    }
}
