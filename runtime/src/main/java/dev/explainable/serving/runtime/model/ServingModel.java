package dev.explainable.serving.runtime.model;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.stream.IntStream;

import org.jboss.logging.Logger;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.Tensor;
import org.tensorflow.exceptions.TFInvalidArgumentException;
import org.tensorflow.exceptions.TFOutOfRangeException;
import org.tensorflow.exceptions.TFResourceExhaustedException;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TFloat32;

import dev.explainable.serving.runtime.metadata.ExplanationMetadata;
import dev.explainable.serving.runtime.metadata.ExplanationMetadata.InputMetadata;
import dev.explainable.serving.runtime.metadata.ExplanationMetadata.OutputMetadata;
import dev.explainable.serving.runtime.metadata.MetadataException;
import dev.explainable.serving.runtime.tensor.DType;
import dev.explainable.serving.runtime.tensor.HostTensor;
import dev.explainable.serving.runtime.tensor.SparseSpec;
import dev.explainable.serving.runtime.tensor.TensorSpec;
import dev.explainable.serving.runtime.work.InvalidInstanceException;
import dev.explainable.serving.runtime.work.RequestDeadline;
import dev.explainable.serving.runtime.work.ResourceExhaustedException;

/**
 * One loaded SavedModel version: its serving signature, and the explanation ops added once at load time
 * (function bodies inlined, a label-selecting target per output, and its gradients with respect to every
 * explained input).
 */
public final class ServingModel implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ServingModel.class);

    /**
     * A metadata input: the tensor attributions are computed for (its encoded tensor where it has one).
     *
     * @param spec the explained tensor's dtype and shape (float32), keyed by the metadata key
     * @param input the metadata's {@code input_tensor_name} as resolved: {@code spec}'s tensor without an embedding
     *     encoding, the ids the embedding looks up with one (its dtype null where the runtime has no name for it)
     * @param signatureKey the signature input that feeds {@code tensor} directly, or null when it is computed inside
     *     the graph
     * @param requestKey the signature input the request's values for this input go to (its input_tensor_name), or
     *     null: requests may name it by the metadata key
     * @param sparse for a sparse input (the metadata names indices and a dense shape), its three signature inputs;
     *     {@code tensor} is then the values, {@code spec}'s shape {@code [-1]} (one value per stored value); else null
     */
    public record ExplainedInput(
            String key,
            Output<?> tensor,
            TensorSpec spec,
            TensorSpec input,
            String signatureKey,
            String requestKey,
            InputMetadata metadata,
            SparseSpec sparse) {
        /** True when the tensor is fed directly by the request (not computed inside the graph). */
        public boolean isSignatureInput() {
            return signatureKey != null;
        }
    }

    /** A metadata output: the score explained, selected per example by a mask over its values. */
    public record ExplainedOutput(
            String key,
            Output<?> tensor,
            long[] shape,
            Placeholder<TFloat32> mask,
            Output<?> target,
            Output<?>[] gradients,
            List<String> indexNameMapping) {}

    private final SavedModelBundle bundle;
    private final Session session;
    private final List<TensorSpec> signatureInputs;
    private final Map<String, String> signatureOutputs;
    private final List<ExplainedInput> explainedInputs;
    private final List<ExplainedOutput> explainedOutputs;
    private final ExplanationMetadata metadata;
    private final boolean metadataInferred;
    private final List<TensorFlowDevices.Device> devices;

    private ServingModel(
            SavedModelBundle bundle,
            List<TensorSpec> signatureInputs,
            Map<String, String> outputs,
            List<ExplainedInput> explainedInputs,
            List<ExplainedOutput> explainedOutputs,
            ExplanationMetadata metadata,
            boolean metadataInferred,
            List<TensorFlowDevices.Device> devices) {
        this.bundle = bundle;
        this.session = bundle.session();
        this.signatureInputs = signatureInputs;
        this.signatureOutputs = outputs;
        this.explainedInputs = explainedInputs;
        this.explainedOutputs = explainedOutputs;
        this.metadata = metadata;
        this.metadataInferred = metadataInferred;
        this.devices = devices;
    }

    /** The explanation metadata in effect: the model's, or the one inferred from its signature. */
    public ExplanationMetadata metadata() {
        return metadata;
    }

    /** True when the model came without metadata and {@link #metadata()} was inferred. */
    public boolean metadataInferred() {
        return metadataInferred;
    }

    /** The devices TensorFlow gives the model's session: the CPU, and the GPUs it can use. */
    public List<TensorFlowDevices.Device> devices() {
        return devices;
    }

    /**
     * Loads the SavedModel in {@code dir} and adds the explanation ops.
     *
     * @param metadata the explanation metadata, or null to infer it from the signature (see {@link #inferred})
     * @param withGradients whether to build the gradient ops (Integrated Gradients and XRAI need them; Sampled
     *     Shapley runs forward only, so models whose ops have no gradient, such as recurrent loops, serve it)
     * @param gpuMemoryFraction the fraction of each GPU's memory TensorFlow takes at load, or empty to let it grow as
     *     needed (see {@link TensorFlowDevices#configProto})
     */
    public static ServingModel load(
            Path dir,
            ExplanationMetadata metadata,
            String defaultSignature,
            boolean withGradients,
            OptionalDouble gpuMemoryFraction) {
        if (!Files.isRegularFile(dir.resolve("saved_model.pb"))) {
            throw new MetadataException("no SavedModel at " + dir + " (saved_model.pb is missing)");
        }
        // git does not keep empty folders: a SavedModel without variables may have lost its variables/.
        try {
            Files.createDirectories(dir.resolve("variables"));
        } catch (Exception e) {
            LOG.debugf("cannot create %s/variables: %s", dir, e.getMessage());
        }
        long start = System.nanoTime();
        ConfigProto config = TensorFlowDevices.configProto(gpuMemoryFraction);
        SavedModelBundle bundle = SavedModelBundle.loader(dir.toString())
                .withTags("serve")
                .withConfigProto(config)
                .load();
        try {
            List<TensorFlowDevices.Device> devices = TensorFlowDevices.list(config);
            LOG.infof(
                    "TensorFlow runs the model on %s (devices %s; GPU memory: %s)",
                    devices.stream().anyMatch(d -> d.type().equals("GPU")) ? "the GPU" : "the CPU, it sees no GPU",
                    devices.stream().map(d -> d.name()).toList(),
                    gpuMemoryFraction.isPresent()
                            ? "a fraction of " + gpuMemoryFraction.getAsDouble() + " taken at load"
                            : "grows as needed");
            ServingModel model = build(bundle, metadata, defaultSignature, withGradients, devices);
            if (metadata == null) {
                LOG.infof(
                        "%s has no explanation metadata; inferred (write explanation_metadata.json to change it): %s",
                        dir, model.metadata());
            }
            LOG.infof(
                    "loaded %s in %d ms: inputs %s, explained %s, outputs %s",
                    dir,
                    (System.nanoTime() - start) / 1_000_000,
                    model.signatureInputs.stream().map(TensorSpec::key).toList(),
                    model.explainedInputs.stream().map(ExplainedInput::key).toList(),
                    model.explainedOutputs.stream().map(ExplainedOutput::key).toList());
            return model;
        } catch (RuntimeException e) {
            bundle.close();
            throw e;
        }
    }

    private static ServingModel build(
            SavedModelBundle bundle,
            ExplanationMetadata given,
            String defaultSignature,
            boolean withGradients,
            List<TensorFlowDevices.Device> devices) {
        String sigKey = given != null && given.servingSigdefKey() != null ? given.servingSigdefKey() : defaultSignature;
        Signature signature = bundle.signatures().stream()
                .filter(s -> s.key().equals(sigKey))
                .findFirst()
                .orElseThrow(() -> new MetadataException("the SavedModel has no signature '" + sigKey + "' (it has "
                        + bundle.signatures().stream().map(Signature::key).toList() + ")"));
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
                    withoutBatch(d.shape)));
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

        Graph graph = bundle.graph();
        // gradients need recurrent loops unrolled (see FunctionInliner); forward-only methods keep them as loops
        FunctionInliner inliner = new FunctionInliner(graph, withGradients ? bundle.session() : null);
        List<ExplainedInput> explained = new ArrayList<>();
        for (Map.Entry<String, InputMetadata> e : metadata.inputs().entrySet()) {
            InputMetadata m = e.getValue();
            SparseSpec sparseInput = sparse.get(e.getKey());
            // an embedding encoding explains its encoded tensor; the input tensor (ids) is what requests send
            String name = m.explainedTensorName();
            String field = m.encodedTensorName() != null ? "encoded_tensor_name" : "input_tensor_name";
            Output<?> tensor = resolve(inliner, name, "input '" + e.getKey() + "'");
            if (tensor.dataType() != DataType.DT_FLOAT) {
                throw new MetadataException("input '" + e.getKey() + "': tensor " + name + " is " + tensor.dataType()
                        + "; attributions need a float32 tensor (point " + field + " at one, e.g. after decoding"
                        + (m.encodedTensorName() == null ? ", or give the embedding as encoded_tensor_name)" : ")"));
            }
            TensorSpec spec = new TensorSpec(
                    e.getKey(),
                    name,
                    DType.FLOAT,
                    sparseInput != null ? new long[] {-1} : withoutBatch(tensor.shape()));
            TensorSpec input = spec;
            if (m.encodedTensorName() != null) {
                Output<?> ids = resolve(inliner, m.inputTensorName(), "input '" + e.getKey() + "'");
                input = new TensorSpec(
                        e.getKey(),
                        m.inputTensorName(),
                        Tensors.dtype(ids.dataType()).orElse(null),
                        withoutBatch(ids.shape()));
            }
            String sigInput = signatureKeyOf(inputs, name);
            explained.add(new ExplainedInput(
                    e.getKey(),
                    tensor,
                    spec,
                    input,
                    sigInput,
                    signatureKeyOf(inputs, m.inputTensorName()),
                    m,
                    sparseInput));
        }
        Output<?>[] xs = explained.stream().map(ExplainedInput::tensor).toArray(Output<?>[]::new);
        List<ExplainedOutput> explainedOutputs = new ArrayList<>();
        for (Map.Entry<String, OutputMetadata> e : metadata.outputs().entrySet()) {
            String name = e.getValue().outputTensorName();
            Output<?> y = resolve(inliner, name, "output '" + e.getKey() + "'");
            long[] shape = withoutBatch(y.shape());
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
            Operand<TFloat32> selected = tf.math.mul(yf, mask);
            Operand<TFloat32> target = shape.length == 0
                    ? selected
                    : tf.sum(
                            selected,
                            tf.constant(IntStream.rangeClosed(1, shape.length).toArray()));
            Output<?>[] grads = withGradients
                    ? gradients(graph, target.asOutput(), xs, e.getKey(), inliner.loopsNotUnrolled())
                    : new Output<?>[0];
            for (int i = 0; i < grads.length; i++) {
                if (grads[i] == null) {
                    throw new MetadataException("output '" + e.getKey() + "' does not depend on input '"
                            + explained.get(i).key() + "' ("
                            + explained.get(i).spec().tensorName() + ")");
                }
            }
            explainedOutputs.add(new ExplainedOutput(
                    e.getKey(),
                    y,
                    shape,
                    mask,
                    target.asOutput(),
                    grads,
                    e.getValue().indexNameMapping()));
        }
        return new ServingModel(bundle, inputs, outputs, explained, explainedOutputs, metadata, given == null, devices);
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
                .filter(s -> sameTensor(s.tensorName(), tensorName))
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
                null);
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
            String message = e.getMessage() == null ? e.toString() : firstLine(e.getMessage());
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

    /** True when the gradient ops were built (Integrated Gradients and XRAI). */
    public boolean hasGradients() {
        return explainedOutputs.stream().allMatch(o -> o.gradients().length == explainedInputs.size());
    }

    private static Output<?> resolve(FunctionInliner inliner, String name, String where) {
        try {
            return inliner.tensor(name);
        } catch (IllegalArgumentException e) {
            throw new MetadataException(where + ": " + e.getMessage());
        }
    }

    private static String sanitize(String s) {
        return s.replaceAll("[^A-Za-z0-9_.\\-]", "_");
    }

    static boolean sameTensor(String a, String b) {
        return withIndex(a).equals(withIndex(b));
    }

    private static String withIndex(String n) {
        return n.contains(":") ? n : n + ":0";
    }

    /** The shape without its leading batch dimension; null when the rank is unknown. */
    static long[] withoutBatch(Shape s) {
        if (s == null || s.isUnknown() || s.numDimensions() < 1) {
            return s != null && s.isScalar() ? new long[0] : null;
        }
        long[] a = s.asArray();
        return Arrays.copyOfRange(a, 1, a.length);
    }

    public List<TensorSpec> signatureInputs() {
        return signatureInputs;
    }

    public Map<String, String> signatureOutputs() {
        return signatureOutputs;
    }

    public List<ExplainedInput> explainedInputs() {
        return explainedInputs;
    }

    public List<ExplainedOutput> explainedOutputs() {
        return explainedOutputs;
    }

    /** The sparse inputs, each three signature inputs (see {@link SparseSpec}). */
    public List<SparseSpec> sparseInputs() {
        return explainedInputs.stream()
                .map(ExplainedInput::sparse)
                .filter(java.util.Objects::nonNull)
                .toList();
    }

    /**
     * One session run: feeds host tensors (batched), fetches outputs as host tensors. Session.run is thread-safe;
     * native tensors live only inside this call.
     */
    public List<HostTensor> run(Map<Output<?>, HostTensor> feeds, List<Output<?>> fetches) {
        RequestDeadline.checkCurrent();
        List<Tensor> inputs = new ArrayList<>();
        try {
            Session.Runner runner = session.runner();
            for (Map.Entry<Output<?>, HostTensor> f : feeds.entrySet()) {
                Tensor t = Tensors.toTensor(f.getValue());
                inputs.add(t);
                runner.feed(f.getKey(), t);
            }
            fetches.forEach(runner::fetch);
            try (Result result = runner.run()) {
                List<HostTensor> out = new ArrayList<>(fetches.size());
                for (int i = 0; i < fetches.size(); i++) {
                    out.add(Tensors.toHost(result.get(i)));
                }
                return out;
            }
        } catch (TFInvalidArgumentException | TFOutOfRangeException e) {
            // The graph rejected values the request sent (bytes that are no JPEG, a size a reshape cannot take):
            // the client's error. The message's first line says what; node names and stack stay in the log.
            LOG.debugf(e, "model rejected the request's values");
            throw new InvalidInstanceException("the model rejected the instance: " + firstLine(e.getMessage()));
        } catch (TFResourceExhaustedException e) {
            LOG.warnf("TensorFlow ran out of memory: %s", firstLine(e.getMessage()));
            throw new ResourceExhaustedException(
                    "the model ran out of memory on this request; retry later or send " + "fewer or smaller instances");
        } finally {
            inputs.forEach(Tensor::close);
        }
    }

    /** TensorFlow's message without the node names and graph excerpts it appends. */
    static String firstLine(String message) {
        if (message == null || message.isBlank()) {
            return "invalid argument";
        }
        String line = message.strip().lines().findFirst().orElse("");
        int node = line.indexOf("[[");
        if (node >= 0) {
            line = line.substring(0, node);
        }
        line = line.replaceAll("\\{\\{[^}]*\\}\\}", "").replaceAll("\\s+", " ").strip();
        if (line.endsWith(".") || line.endsWith(";") || line.endsWith(",")) {
            line = line.substring(0, line.length() - 1);
        }
        return line.length() > 300 ? line.substring(0, 297) + "..." : line;
    }

    /** A tensor of the loaded graph by name (signature tensors are plain graph tensors). */
    public Output<?> graphTensor(String name) {
        return bundle.graph().outputOrThrow(withIndex(name));
    }

    @Override
    public void close() {
        bundle.close();
    }
}
