package dev.explainable.serving.runtime.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.tensorflow.Output;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.proto.DataType;

import dev.explainable.serving.runtime.metadata.ExplanationMetadata;
import dev.explainable.serving.runtime.metadata.ExplanationMetadata.InputMetadata;
import dev.explainable.serving.runtime.metadata.ExplanationMetadata.OutputMetadata;
import dev.explainable.serving.runtime.metadata.MetadataException;
import dev.explainable.serving.runtime.tensor.DType;
import dev.explainable.serving.runtime.tensor.SparseSpec;
import dev.explainable.serving.runtime.tensor.TensorSpec;

/**
 * The serving signature and the explanation metadata bound to tensors of the graph: the signature inputs the runtime
 * feeds (checked to be of dtypes it can feed), the metadata in effect (the model's, or inferred from the signature:
 * {@link #inferred}), each sparse input's three signature inputs checked against what TensorFlow exports for a
 * {@code tf.SparseTensorSpec}, and each explained input's float32 tensor (inside a function body where the metadata
 * names one there: {@link FunctionInliner#tensor}). Every mismatch is a {@link MetadataException} saying what to fix.
 *
 * <p>It reads the graph and, through the inliner, adds the copies of function bodies it needs; it runs nothing, so it
 * is tested on small graphs built in the test ({@code SignatureBindingTest}).
 *
 * @param signatureInputs the signature's inputs, shapes as one instance gives them (without the batch; a sparse
 *     input's parts as {@link #sparseSpec} gives them)
 * @param signatureOutputs the signature's outputs: key to tensor name
 * @param metadata the metadata in effect
 * @param metadataInferred true when {@code metadata} was inferred from the signature
 * @param inputs the explained inputs, in the metadata's order
 */
record SignatureBinding(
        List<TensorSpec> signatureInputs,
        Map<String, String> signatureOutputs,
        ExplanationMetadata metadata,
        boolean metadataInferred,
        List<ExplainedInput> inputs) {

    /** The signature the metadata names ({@code serving_sigdef_key}), else {@code defaultKey}. */
    static Signature select(List<Signature> signatures, ExplanationMetadata given, String defaultKey) {
        String sigKey = given != null && given.servingSigdefKey() != null ? given.servingSigdefKey() : defaultKey;
        return signatures.stream()
                .filter(s -> s.key().equals(sigKey))
                .findFirst()
                .orElseThrow(() -> new MetadataException("the SavedModel has no signature '" + sigKey + "' (it has "
                        + signatures.stream().map(Signature::key).toList() + ")"));
    }

    /**
     * Binds {@code signature} and the metadata to the graph {@code tensors} resolves names in.
     *
     * @param given the explanation metadata, or null to infer it from the signature
     */
    static SignatureBinding bind(Signature signature, ExplanationMetadata given, FunctionInliner tensors) {
        List<TensorSpec> inputs = new ArrayList<>();
        Map<String, Shape> signatureShapes = new LinkedHashMap<>();
        signature.getInputs().forEach((key, d) -> {
            inputs.add(new TensorSpec(
                    key,
                    d.name,
                    Tensors.dtype(d.dataType)
                            .orElseThrow(() -> new MetadataException("signature input '" + key
                                    + "' is " + d.dataType
                                    + ", which the runtime cannot feed (it feeds float32, float64, int32, "
                                    + "int64, bool and string inputs)")),
                    Tensors.withoutBatch(d.shape)));
            signatureShapes.put(key, d.shape);
        });
        Map<String, String> outputs = new LinkedHashMap<>();
        signature.getOutputs().forEach((key, d) -> outputs.put(key, d.name));
        ExplanationMetadata metadata = given != null ? given : inferred(inputs, outputs);
        Map<String, SparseSpec> sparse = new LinkedHashMap<>();
        metadata.inputs().forEach((key, m) -> {
            if (m.isSparse()) {
                sparse.put(key, sparseSpec(key, m, inputs, signatureShapes));
            }
        });

        List<ExplainedInput> explained = new ArrayList<>();
        for (Map.Entry<String, InputMetadata> e : metadata.inputs().entrySet()) {
            InputMetadata m = e.getValue();
            SparseSpec sparseInput = sparse.get(e.getKey());
            // an embedding encoding explains its encoded tensor; the input tensor (ids) is what requests send
            String name = m.explainedTensorName();
            String field = m.encodedTensorName() != null ? "encoded_tensor_name" : "input_tensor_name";
            Output<?> tensor = resolve(tensors, name, "input '" + e.getKey() + "'");
            if (tensor.dataType() != DataType.DT_FLOAT) {
                throw new MetadataException("input '" + e.getKey() + "': tensor " + name + " is " + tensor.dataType()
                        + "; attributions need a float32 tensor (point " + field + " at one, e.g. after decoding"
                        + (m.encodedTensorName() == null ? ", or give the embedding as encoded_tensor_name)" : ")"));
            }
            TensorSpec spec = new TensorSpec(
                    e.getKey(),
                    name,
                    DType.FLOAT,
                    sparseInput != null ? new long[] {-1} : Tensors.withoutBatch(tensor.shape()));
            TensorSpec input = spec;
            if (m.encodedTensorName() != null) {
                Output<?> ids = resolve(tensors, m.inputTensorName(), "input '" + e.getKey() + "'");
                input = new TensorSpec(
                        e.getKey(),
                        m.inputTensorName(),
                        Tensors.dtype(ids.dataType()).orElse(null),
                        Tensors.withoutBatch(ids.shape()));
            }
            InputInfo info = new InputInfo(
                    e.getKey(),
                    spec,
                    input,
                    signatureKeyOf(inputs, name),
                    signatureKeyOf(inputs, m.inputTensorName()),
                    m,
                    sparseInput);
            explained.add(new ExplainedInput(info, tensor));
        }
        return new SignatureBinding(inputs, outputs, metadata, given == null, explained);
    }

    /**
     * A sparse input's three signature inputs, checked against what TensorFlow exports for a
     * {@code tf.SparseTensorSpec}: float32 values {@code [None]}, int64 indices {@code [None, rank]}, an int64 dense
     * shape {@code [rank]}, rank at least 2 (the batch and the features). Their entries in {@code inputs} get the
     * shapes one instance gives them (without the batch: values {@code [-1]}, indices {@code [-1, rank - 1]}, dense
     * shape {@code [rank - 1]}). Sparse tensors computed inside the graph are not supported.
     */
    private static SparseSpec sparseSpec(
            String key, InputMetadata m, List<TensorSpec> inputs, Map<String, Shape> shapes) {
        String where = "input '" + key + "' (sparse)";
        String values = signatureKeyOf(inputs, m.inputTensorName());
        String indices = signatureKeyOf(inputs, m.indicesTensorName());
        String denseShape = signatureKeyOf(inputs, m.denseShapeTensorName());
        List<String> internal = new ArrayList<>();
        if (values == null) {
            internal.add("input_tensor_name " + m.inputTensorName());
        }
        if (indices == null) {
            internal.add("indices_tensor_name " + m.indicesTensorName());
        }
        if (denseShape == null) {
            internal.add("dense_shape_tensor_name " + m.denseShapeTensorName());
        }
        if (!internal.isEmpty()) {
            throw new MetadataException(where + ": the values, indices and dense shape must be inputs of the serving"
                    + " signature (as TensorFlow exports a tf.SparseTensorSpec argument); "
                    + String.join(", ", internal)
                    + (internal.size() == 1 ? " is not one" : " are not")
                    + " (sparse tensors computed inside the graph are not supported)");
        }
        if (values.equals(indices) || values.equals(denseShape) || indices.equals(denseShape)) {
            throw new MetadataException(where + ": values, indices and dense shape must be three different tensors");
        }
        Shape v = shapes.get(values);
        Shape i = shapes.get(indices);
        Shape d = shapes.get(denseShape);
        checkPart(where, "values", m.inputTensorName(), dtypeOf(inputs, values), DType.FLOAT, v, 1);
        checkPart(where, "indices", m.indicesTensorName(), dtypeOf(inputs, indices), DType.INT64, i, 2);
        checkPart(where, "dense shape", m.denseShapeTensorName(), dtypeOf(inputs, denseShape), DType.INT64, d, 1);
        long fromIndices = i.isUnknown() ? -1 : i.size(1);
        long fromShape = d.isUnknown() ? -1 : d.size(0);
        if (fromIndices >= 0 && fromShape >= 0 && fromIndices != fromShape) {
            throw new MetadataException(where + ": the indices have " + fromIndices + " coordinates but the dense"
                    + " shape " + fromShape + " sizes");
        }
        long rank = Math.max(fromIndices, fromShape);
        if (rank < 0) {
            throw new MetadataException(where + ": the rank of the sparse tensor is unknown (neither "
                    + m.indicesTensorName() + " nor " + m.denseShapeTensorName() + " has a static size)");
        }
        if (rank < 2) {
            throw new MetadataException(where + ": a sparse input needs a batch dimension and at least one more"
                    + " (its indices have " + rank + " coordinates)");
        }
        int r = (int) rank - 1;
        long[] indicesShape = {-1, r};
        replaceShape(inputs, values, new long[] {-1});
        replaceShape(inputs, indices, indicesShape);
        replaceShape(inputs, denseShape, new long[] {r});
        int features =
                m.indexFeatureMapping() == null || m.indexFeatureMapping().isEmpty()
                        ? -1
                        : m.indexFeatureMapping().size();
        return new SparseSpec(key, values, indices, denseShape, r, features);
    }

    private static void checkPart(
            String where, String part, String name, DType dtype, DType wanted, Shape shape, int rank) {
        if (dtype != wanted) {
            throw new MetadataException(where + ": the " + part + " (" + name + ") must be " + wanted.displayName()
                    + ", not " + (dtype == null ? "unknown" : dtype.displayName()));
        }
        if (!shape.isUnknown() && shape.numDimensions() != rank) {
            throw new MetadataException(
                    where + ": the " + part + " (" + name + ") must have rank " + rank + ", not shape " + shape);
        }
    }

    private static DType dtypeOf(List<TensorSpec> inputs, String key) {
        return inputs.stream()
                .filter(s -> s.key().equals(key))
                .map(TensorSpec::dtype)
                .findFirst()
                .orElse(null);
    }

    private static void replaceShape(List<TensorSpec> inputs, String key, long[] shape) {
        for (int k = 0; k < inputs.size(); k++) {
            TensorSpec s = inputs.get(k);
            if (s.key().equals(key)) {
                inputs.set(k, new TensorSpec(s.key(), s.tensorName(), s.dtype(), shape));
            }
        }
    }

    private static String signatureKeyOf(List<TensorSpec> inputs, String tensorName) {
        return inputs.stream()
                .filter(s -> Tensors.sameTensor(s.tensorName(), tensorName))
                .map(TensorSpec::key)
                .findFirst()
                .orElse(null);
    }

    /**
     * The metadata AI Platform users would write for a plain model: every float32 signature input explained as
     * itself (identity encoding, zero baseline), and the signature's first output.
     */
    static ExplanationMetadata inferred(List<TensorSpec> inputs, Map<String, String> outputs) {
        Map<String, InputMetadata> explained = new LinkedHashMap<>();
        for (TensorSpec s : inputs) {
            if (s.dtype() == DType.FLOAT) {
                explained.put(
                        s.key(),
                        new InputMetadata(
                                s.tensorName(), null, null, null, null, null, null, null, null, null, null, null));
            }
        }
        if (explained.isEmpty() || outputs.isEmpty()) {
            throw new MetadataException(
                    "the model has no explanation_metadata.json, and its signature has "
                            + (outputs.isEmpty() ? "no output" : "no float32 input")
                            + " to explain by default; write the metadata (tools/list-tensors.sh lists the tensors it can name)");
        }
        Map.Entry<String, String> first = outputs.entrySet().iterator().next();
        return new ExplanationMetadata(
                explained,
                Map.of(first.getKey(), new OutputMetadata(first.getValue(), null)),
                "tensorflow",
                null,
                null,
                null,
                null,
                null,
                null);
    }

    /** A tensor by the name the metadata gives it, inlining what is needed to reach it; {@code where} names the entry. */
    static Output<?> resolve(FunctionInliner tensors, String name, String where) {
        try {
            return tensors.tensor(name);
        } catch (IllegalArgumentException e) {
            throw new MetadataException(where + ": " + e.getMessage());
        }
    }

    /** The explained inputs without TensorFlow handles. */
    List<InputInfo> inputInfos() {
        return inputs.stream().map(ExplainedInput::info).toList();
    }
}
