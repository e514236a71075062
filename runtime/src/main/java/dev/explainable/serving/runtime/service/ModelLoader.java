package dev.explainable.serving.runtime.service;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.explainable.serving.runtime.config.RuntimeOptions;
import dev.explainable.serving.runtime.config.StandaloneConfig;
import dev.explainable.serving.runtime.examples.ExampleSet;
import dev.explainable.serving.runtime.metadata.ExplanationMetadata;
import dev.explainable.serving.runtime.metadata.ExplanationMetadata.InputMetadata;
import dev.explainable.serving.runtime.metadata.MetadataException;
import dev.explainable.serving.runtime.metadata.MetadataLoader;
import dev.explainable.serving.runtime.model.ForwardResult;
import dev.explainable.serving.runtime.model.InputInfo;
import dev.explainable.serving.runtime.model.ModelRunner;
import dev.explainable.serving.runtime.model.ModelSignature;
import dev.explainable.serving.runtime.model.OutputInfo;
import dev.explainable.serving.runtime.model.RowLimit;
import dev.explainable.serving.runtime.model.ServingModel;
import dev.explainable.serving.runtime.model.SharedRuns;
import dev.explainable.serving.runtime.storage.StorageSettings;
import dev.explainable.serving.runtime.tensor.DType;
import dev.explainable.serving.runtime.tensor.HostTensor;
import dev.explainable.serving.runtime.tensor.InstanceDecoder;
import dev.explainable.serving.runtime.tensor.SparseSpec;
import dev.explainable.serving.runtime.tensor.TensorSpec;
import dev.explainable.serving.runtime.visualization.ExplanationRenderer;

/**
 * Loads a model version and composes what serves it: metadata, SavedModel, the configured attribution method, the
 * renderer, the instance decoder; then runs one warm-up explanation. Apart from TensorFlow it is pure: tests call
 * {@link #load(RuntimeOptions)} directly.
 */
public final class ModelLoader {

    private ModelLoader() {}

    /** Instances embedded per run while an example set is read. */
    static final int EXAMPLE_CHUNK = 256;

    /** As {@link #load(RuntimeOptions, StorageSettings)}, with the storage settings' defaults. */
    public static LoadedModel load(RuntimeOptions options) {
        return load(options, RuntimeOptions.storage(StandaloneConfig.fromEnvironment(Map.of())));
    }

    /**
     * Loads, validates and warms up, then reads the example set where one is configured (with {@code storage}'s
     * clients); every failure is a {@link MetadataException} saying what to fix.
     */
    public static LoadedModel load(RuntimeOptions options, StorageSettings storage) {
        var m = options.model();
        if (m.dir() == null) {
            throw new MetadataException("explain.model.dir (EXPLAIN_MODEL_DIR) is not set");
        }
        if (options.batchSize() < 1) {
            throw new MetadataException("explain.batch-size must be at least 1, got " + options.batchSize());
        }
        Path dir = Path.of(m.dir());
        Path metadataFile =
                m.metadataFile() != null ? Path.of(m.metadataFile()) : dir.resolve(MetadataLoader.FILE_NAME);
        // a model folder without metadata is explained with metadata inferred from its signature; a metadata file
        // named explicitly must exist
        ExplanationMetadata metadata =
                m.metadataFile() == null && !Files.exists(metadataFile) ? null : MetadataLoader.load(metadataFile);
        // a model that explains by example runs forward only (its answers are neighbours, never attributions): no
        // gradient ops, which a model with a lookup or a loop of free length could not have
        boolean byExample = options.examples().enabled();
        ServingModel model = ServingModel.load(
                dir,
                metadata,
                m.signature(),
                options.attribution().method().usesGradients() && !byExample,
                options.gpu().memoryFraction());
        try {
            ExplanationPipeline pipeline = compose(options, model);
            long start = System.nanoTime();
            try {
                ForwardResult zeros = warmUpInstance(model.signature(), m.warmUpFreeDimension());
                if (byExample) {
                    pipeline.warmUpRun(zeros);
                } else {
                    pipeline.warmUp(zeros);
                }
            } catch (RuntimeException e) {
                throw new MetadataException("the warm-up " + (byExample ? "run" : "explanation")
                        + " failed (free dimensions took the size " + m.warmUpFreeDimension()
                        + ", explain.warm-up-free-dimension): " + e.getMessage());
            }
            long warmUpMillis = (System.nanoTime() - start) / 1_000_000;
            if (options.examples().enabled()) {
                LatentSpace latent = pipeline.latentSpace();
                if (latent == null) {
                    throw new MetadataException("explain.examples.uris names an example set, but the explanation"
                            + " metadata names no latentSpaceSource (the signature output that embeds an instance)");
                }
                ExampleSet set = ExampleSetLoader.load(options.examples(), storage, latent, EXAMPLE_CHUNK);
                pipeline = pipeline.withExamples(new ExampleNeighbors(latent, set, options.examples()));
            }
            return new LoadedModel(
                    model,
                    pipeline,
                    warmUpMillis,
                    ModelDescriptions.describe(options.attribution(), model.signature(), model.devices()));
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    private static ExplanationPipeline compose(RuntimeOptions options, ServingModel loaded) {
        var limits = options.limits();
        var batching = options.batching();
        RowLimit rowLimit = new RowLimit();
        SharedRuns shared = batching.enabled()
                ? SharedRuns.of(
                        loaded,
                        Math.max(batching.maxPoints(), options.batchSize()),
                        rowLimit,
                        limits.maxBatchElements(),
                        batching.maxWait().toNanos(),
                        batching.concurrentRuns())
                : null;
        ModelRunner runner = new ModelRunner(loaded, limits.maxBatchElements(), shared, rowLimit);
        ModelSignature model = loaded.signature();
        Map<String, String> aliases = new HashMap<>();
        Map<String, InputMetadata> inputMetadata = new LinkedHashMap<>();
        for (InputInfo e : model.explainedInputs()) {
            // the metadata key names its request input too, unless it is the name of another signature input
            boolean namesAnother = model.signatureInputs().stream()
                    .anyMatch(s -> s.key().equals(e.key()) && !s.key().equals(e.requestKey()));
            if (e.requestKey() != null && !namesAnother) {
                aliases.put(e.key(), e.requestKey());
            }
            inputMetadata.put(e.key(), e.metadata());
        }
        InstanceDecoder decoder = new InstanceDecoder(
                model.signatureInputs(),
                aliases,
                model.sparseInputs(),
                limits.maxImagePixels(),
                limits.maxFreeDimension(),
                limits.maxBatchElements());
        ExplanationRenderer renderer = new ExplanationRenderer(
                model.explainedInputs().stream().map(InputInfo::spec).toList(),
                inputMetadata,
                options.attribution().method(),
                options.includeRaw());
        return new ExplanationPipeline(
                model,
                runner,
                decoder,
                new ExplainerFactory(options.attribution(), model.explainedInputs()),
                options.attribution(),
                renderer,
                options.batchSize(),
                limits,
                null);
    }

    /**
     * Baseline-like zeros with the model's shapes: exercises the full explanation path once. Free dimensions take
     * {@code freeDimension}: 1 would fail models whose valid-padding convolutions need a minimum size.
     */
    static ForwardResult warmUpInstance(ModelSignature model, int freeDimension) {
        Map<String, HostTensor> signature = new LinkedHashMap<>();
        for (TensorSpec s : model.signatureInputs()) {
            signature.put(s.key(), zeros(s.dtype(), s.shape(), freeDimension));
        }
        Map<String, HostTensor> explained = new LinkedHashMap<>();
        for (InputInfo e : model.explainedInputs()) {
            explained.put(e.key(), zeros(DType.FLOAT, e.spec().shape(), freeDimension));
        }
        for (SparseSpec s : model.sparseInputs()) {
            // one stored zero at the first index; free sizes as for dense inputs, the features' size where fixed
            long[] dims = new long[s.rank()];
            Arrays.fill(dims, Math.max(1, freeDimension));
            if (s.features() >= 0) {
                dims[dims.length - 1] = s.features();
            }
            HostTensor value = HostTensor.floats(new long[] {1}, new float[1]);
            signature.put(s.valuesKey(), value);
            signature.put(s.indicesKey(), new HostTensor(DType.INT64, new long[] {1, s.rank()}, new long[s.rank()]));
            signature.put(s.denseShapeKey(), new HostTensor(DType.INT64, new long[] {s.rank()}, dims));
            explained.put(s.key(), value);
        }
        Map<String, HostTensor> outputs = new LinkedHashMap<>();
        for (OutputInfo o : model.explainedOutputs()) {
            outputs.put(o.key(), zeros(DType.FLOAT, o.shape(), 1));
        }
        return new ForwardResult(signature, explained, outputs);
    }

    private static HostTensor zeros(DType dtype, long[] shape, int freeDimension) {
        long[] s = shape == null ? new long[0] : shape.clone();
        for (int i = 0; i < s.length; i++) {
            s[i] = s[i] < 0 ? freeDimension : Math.max(1, s[i]);
        }
        return new HostTensor(dtype, s, dtype.allocate((int) HostTensor.elements(s)));
    }
}
