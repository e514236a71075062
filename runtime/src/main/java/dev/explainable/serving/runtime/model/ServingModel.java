package dev.explainable.serving.runtime.model;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

import org.jboss.logging.Logger;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.Tensor;
import org.tensorflow.exceptions.TFInvalidArgumentException;
import org.tensorflow.exceptions.TFOutOfRangeException;
import org.tensorflow.exceptions.TFResourceExhaustedException;
import org.tensorflow.proto.ConfigProto;

import dev.explainable.serving.runtime.metadata.ExplanationMetadata;
import dev.explainable.serving.runtime.metadata.MetadataException;
import dev.explainable.serving.runtime.tensor.HostTensor;
import dev.explainable.serving.runtime.tensor.TensorSpec;
import dev.explainable.serving.runtime.work.InvalidInstanceException;
import dev.explainable.serving.runtime.work.RequestDeadline;
import dev.explainable.serving.runtime.work.ResourceExhaustedException;

/**
 * One loaded SavedModel version: its session, its serving signature bound to the metadata
 * ({@link SignatureBinding}), and the explanation ops added once at load time ({@link ExplanationOps}: function
 * bodies inlined, a label-selecting target per output, and its gradients with respect to every explained input).
 * It loads, runs and closes; {@link #signature()} is what layers above {@code model} see of it.
 */
public final class ServingModel implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ServingModel.class);

    private final SavedModelBundle bundle;
    private final Session session;
    private final ModelSignature signature;
    private final List<ExplainedInput> explainedInputs;
    private final List<ExplainedOutput> explainedOutputs;
    private final List<TensorFlowDevices.Device> devices;

    private ServingModel(
            SavedModelBundle bundle,
            SignatureBinding binding,
            List<ExplainedOutput> explainedOutputs,
            List<TensorFlowDevices.Device> devices) {
        this.bundle = bundle;
        this.session = bundle.session();
        this.explainedInputs = List.copyOf(binding.inputs());
        this.explainedOutputs = List.copyOf(explainedOutputs);
        this.signature = new ModelSignature(
                binding.signatureInputs(),
                binding.signatureOutputs(),
                binding.inputInfos(),
                explainedOutputs.stream().map(ExplainedOutput::info).toList(),
                binding.metadata(),
                binding.metadataInferred());
        this.devices = devices;
    }

    /** What the model takes, answers and explains, without TensorFlow handles. */
    public ModelSignature signature() {
        return signature;
    }

    /** The devices TensorFlow gives the model's session: the CPU, and the GPUs it can use. */
    public List<TensorFlowDevices.Device> devices() {
        return devices;
    }

    /**
     * Loads the SavedModel in {@code dir} and adds the explanation ops.
     *
     * @param metadata the explanation metadata, or null to infer it from the signature (see
     *     {@link SignatureBinding#inferred})
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
                    "TensorFlow runs the model on %s (devices %s; GPU memory: %s; oneDNN CPU kernels: %s)",
                    devices.stream().anyMatch(d -> d.type().equals("GPU")) ? "the GPU" : "the CPU, it sees no GPU",
                    devices.stream().map(d -> d.name()).toList(),
                    gpuMemoryFraction.isPresent()
                            ? "a fraction of " + gpuMemoryFraction.getAsDouble() + " taken at load"
                            : "grows as needed",
                    oneDnn(System.getenv("TF_ENABLE_ONEDNN_OPTS")));
            ServingModel model = build(bundle, metadata, defaultSignature, withGradients, devices);
            if (metadata == null) {
                LOG.infof(
                        "%s has no explanation metadata; inferred (write explanation_metadata.json to change it): %s",
                        dir, model.signature.metadata());
            }
            LOG.infof(
                    "loaded %s in %d ms: inputs %s, explained %s, outputs %s",
                    dir,
                    (System.nanoTime() - start) / 1_000_000,
                    model.signature.signatureInputs().stream()
                            .map(TensorSpec::key)
                            .toList(),
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
        Signature signature = SignatureBinding.select(bundle.signatures(), given, defaultSignature);
        // gradients need recurrent loops unrolled (see LoopUnroller); forward-only methods keep them as loops
        FunctionInliner inliner = new FunctionInliner(bundle.graph(), withGradients ? bundle.session() : null);
        SignatureBinding binding = SignatureBinding.bind(signature, given, inliner);
        List<ExplainedOutput> outputs =
                ExplanationOps.build(bundle.graph(), inliner, binding.metadata(), binding.inputs(), withGradients);
        return new ServingModel(bundle, binding, outputs, devices);
    }

    /** True when the gradient ops were built (Integrated Gradients and XRAI). */
    public boolean hasGradients() {
        return explainedOutputs.stream().allMatch(o -> o.gradients().length == explainedInputs.size());
    }

    /** The explained inputs' tensors, in the metadata's order (what path points are fed to). */
    public List<ExplainedInput> explainedInputs() {
        return explainedInputs;
    }

    /** The explained outputs' ops, in the metadata's order. */
    public List<ExplainedOutput> explainedOutputs() {
        return explainedOutputs;
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
            throw new InvalidInstanceException("the model rejected the instance: " + Tensors.firstLine(e.getMessage()));
        } catch (TFResourceExhaustedException e) {
            LOG.warnf("TensorFlow ran out of memory: %s", Tensors.firstLine(e.getMessage()));
            throw new ResourceExhaustedException(
                    "the model ran out of memory on this request; retry later or send " + "fewer or smaller instances");
        } finally {
            inputs.forEach(Tensor::close);
        }
    }

    /**
     * What TensorFlow was asked of its oneDNN CPU kernels: it reads {@code TF_ENABLE_ONEDNN_OPTS} once, from the
     * process's environment (the model's {@code spec.runtime.oneDnn}), and decides by the CPU when it is unset.
     */
    static String oneDnn(String env) {
        if (env == null || env.isBlank()) {
            return "TensorFlow's choice for this CPU (TF_ENABLE_ONEDNN_OPTS unset)";
        }
        String value = env.trim();
        return switch (value.toLowerCase(java.util.Locale.ROOT)) {
            case "1", "true" -> "on (TF_ENABLE_ONEDNN_OPTS=" + value + ")";
            case "0", "false" -> "off (TF_ENABLE_ONEDNN_OPTS=" + value + ")";
            default -> "TF_ENABLE_ONEDNN_OPTS=" + value + ", which TensorFlow does not read as true or false";
        };
    }

    /** A tensor of the loaded graph by name (signature tensors are plain graph tensors). */
    public Output<?> graphTensor(String name) {
        return bundle.graph().outputOrThrow(Tensors.withIndex(name));
    }

    @Override
    public void close() {
        bundle.close();
    }
}
