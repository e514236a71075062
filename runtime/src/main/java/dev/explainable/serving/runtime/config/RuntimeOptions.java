package dev.explainable.serving.runtime.config;

import java.time.Duration;
import java.util.OptionalDouble;

import dev.explainable.serving.runtime.storage.StorageSettings;

/**
 * What loading and serving a model needs, as plain values in groups, read once from {@link ExplainConfig}: names
 * parsed into enums and ranges checked there, so that a bad value fails naming its setting. {@link ExplainConfig}
 * alone holds the names and defaults; nothing here restates one. Tests build these from a property map through
 * SmallRye ({@link StandaloneConfig}), as the runtime reads them.
 *
 * @param batchSize  most path points in one TensorFlow run (explain.batch-size)
 * @param includeRaw image inputs also return the raw attribution tensor (explain.visualization.include-raw)
 * @param examples   example-based explanations (explain.examples.*)
 */
public record RuntimeOptions(
        ModelOptions model,
        MethodOptions attribution,
        int batchSize,
        boolean includeRaw,
        RequestLimits limits,
        Batching batching,
        GpuSettings gpu,
        ExampleOptions examples) {

    /**
     * Reads the configuration; a value that does not parse or is out of range throws
     * {@link IllegalArgumentException} naming the setting (and the valid values).
     */
    public static RuntimeOptions from(ExplainConfig c) {
        return new RuntimeOptions(
                ModelOptions.from(c),
                MethodOptions.from(c),
                c.batchSize(),
                c.visualization().includeRaw(),
                RequestLimits.from(c.limits()),
                Batching.from(c.batching()),
                new GpuSettings(c.gpu().memoryFraction().map(OptionalDouble::of).orElse(OptionalDouble.empty())),
                ExampleOptions.from(c.examples()));
    }

    /** The same options for the model in {@code dir} (a fetched copy of a URI's model). */
    public RuntimeOptions withModelDir(String dir) {
        return new RuntimeOptions(
                model.withDir(dir), attribution, batchSize, includeRaw, limits, batching, gpu, examples);
    }

    /** The model fetcher's settings (explain.storage.*). */
    public static StorageSettings storage(ExplainConfig c) {
        var s = c.storage();
        return new StorageSettings(
                s.gcs().endpoint().orElse(null),
                s.s3().endpoint().orElse(null),
                s.s3().pathStyle(),
                s.s3().region().orElse(null),
                s.anonymous(),
                s.maxBytes(),
                s.maxObjects(),
                s.timeout(),
                s.attempts(),
                s.requestTimeout());
    }

    /**
     * Which model to load, and how (explain.model.*, explain.metadata.file, explain.warm-up-free-dimension).
     *
     * @param dir          the SavedModel folder, or the URI to fetch it from (null when unset: loading then fails
     *                     with a clear reason)
     * @param metadataFile the metadata file, or null for {@code <dir>/explanation_metadata.json}
     * @param warmUpFreeDimension the size free dimensions take in the warm-up explanation
     */
    public record ModelOptions(
            String dir, String metadataFile, String name, String version, String signature, int warmUpFreeDimension) {

        static ModelOptions from(ExplainConfig c) {
            return new ModelOptions(
                    c.model().dir().orElse(null),
                    c.metadata().file().orElse(null),
                    c.model().name(),
                    c.model().version(),
                    c.model().signature(),
                    c.warmUpFreeDimension());
        }

        ModelOptions withDir(String d) {
            return new ModelOptions(d, metadataFile, name, version, signature, warmUpFreeDimension);
        }
    }

    /** The bounds on one request's work (explain.limits.*). */
    public record RequestLimits(
            int maxInstances,
            long maxImagePixels,
            long maxFreeDimension,
            long maxBatchElements,
            long maxRequestElements,
            Duration deadline) {

        static RequestLimits from(ExplainConfig.Limits l) {
            return new RequestLimits(
                    l.maxInstances(),
                    l.maxImagePixels(),
                    l.maxFreeDimension(),
                    l.maxBatchElements(),
                    l.maxRequestElements(),
                    l.deadline());
        }
    }

    /**
     * Cross-request batching (explain.batching.*).
     *
     * @param concurrentRuns TensorFlow runs at once (resolved: never 0)
     */
    public record Batching(boolean enabled, int maxPoints, Duration maxWait, int concurrentRuns) {
        public Batching {
            if (maxPoints < 1 || maxWait.isNegative() || concurrentRuns < 0) {
                throw new IllegalArgumentException("explain.batching: max-points must be at least 1, max-wait and"
                        + " concurrent-runs not negative");
            }
            if (concurrentRuns == 0) {
                concurrentRuns = Math.max(2, Runtime.getRuntime().availableProcessors());
            }
        }

        static Batching from(ExplainConfig.Batching b) {
            return new Batching(b.enabled(), b.maxPoints(), b.maxWait(), b.concurrentRuns());
        }
    }
}
