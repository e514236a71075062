package dev.explainable.serving.runtime.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

import dev.explainable.serving.contract.AttributionMethod;
import dev.explainable.serving.contract.ExplanationDefaults;
import dev.explainable.serving.runtime.explain.BlurConfig;
import dev.explainable.serving.runtime.explain.GaussianBlur;
import dev.explainable.serving.runtime.explain.IntegrationRule;
import dev.explainable.serving.runtime.explain.PathOptions;
import dev.explainable.serving.runtime.explain.SmoothGradConfig;
import dev.explainable.serving.runtime.explain.xrai.XraiParameters;
import dev.explainable.serving.runtime.storage.StorageSettings;

/**
 * What loading and serving a model needs to know, as plain values: read once from {@link ExplainConfig} (names and
 * strings parsed into enums there), or built by tests from {@link #defaults(String)} with the {@code with*}
 * methods.
 *
 * @param modelDir     the SavedModel folder (null when unset: loading then fails with a clear reason)
 * @param metadataFile the metadata file, or null for {@code <modelDir>/explanation_metadata.json}
 * @param smoothGrad   SmoothGrad for Integrated Gradients and XRAI (explain.smooth-grad.*), or empty
 * @param blur         a blurred start for Integrated Gradients and XRAI (explain.blur-ig.*), or empty
 */
public record RuntimeOptions(
        String modelDir,
        String metadataFile,
        String modelName,
        String modelVersion,
        String signature,
        AttributionMethod method,
        int integralSteps,
        int paths,
        int batchSize,
        IntegrationRule integrationRule,
        XraiParameters xrai,
        boolean includeRaw,
        int warmUpFreeDimension,
        RequestLimits limits,
        Optional<SmoothGradConfig> smoothGrad,
        Optional<BlurConfig> blur) {

    /** The bounds on one request's work (explain.limits.*). */
    public record RequestLimits(
            int maxInstances,
            long maxImagePixels,
            long maxFreeDimension,
            long maxBatchElements,
            long maxRequestElements,
            Duration deadline) {

        /** The shipped defaults. */
        public static RequestLimits defaults() {
            return new RequestLimits(32, 4_194_304L, 4096, 1_048_576L, 1_000_000_000L, Duration.ofSeconds(60));
        }
    }

    /** The shipped defaults (those of {@link ExplainConfig}) for the model in {@code modelDir}. */
    public static RuntimeOptions defaults(String modelDir) {
        return new RuntimeOptions(
                modelDir,
                null,
                "model",
                "v1",
                "serving_default",
                AttributionMethod.DEFAULT,
                ExplanationDefaults.INTEGRAL_STEPS,
                ExplanationDefaults.PATHS,
                64,
                IntegrationRule.TRAPEZOID,
                XraiParameters.defaults(),
                false,
                224,
                RequestLimits.defaults(),
                Optional.empty(),
                Optional.empty());
    }

    /**
     * Reads the configuration; a method or integration rule that does not parse throws
     * {@link IllegalArgumentException} naming the setting and the valid values.
     */
    public static RuntimeOptions from(ExplainConfig c) {
        var x = c.xrai();
        var l = c.limits();
        return new RuntimeOptions(
                c.model().dir().orElse(null),
                c.metadata().file().orElse(null),
                c.model().name(),
                c.model().version(),
                c.model().signature(),
                AttributionMethod.fromRuntimeName(c.method()),
                c.integralSteps(),
                c.paths(),
                c.batchSize(),
                IntegrationRule.parse(c.integrationRule()),
                new XraiParameters(
                        x.segmentationSize(),
                        x.scales(),
                        x.sigma(),
                        x.minSegmentSize(),
                        x.dilationRadius(),
                        x.minPixelDiff(),
                        x.areaThreshold()),
                c.visualization().includeRaw(),
                c.warmUpFreeDimension(),
                new RequestLimits(
                        l.maxInstances(),
                        l.maxImagePixels(),
                        l.maxFreeDimension(),
                        l.maxBatchElements(),
                        l.maxRequestElements(),
                        l.deadline()),
                smoothGrad(c.smoothGrad()),
                blur(c.blurIg()));
    }

    /**
     * explain.smooth-grad.*: off at a sample count of 0, otherwise checked against Vertex's ranges (a value out of
     * range fails startup naming the setting).
     */
    static Optional<SmoothGradConfig> smoothGrad(ExplainConfig.SmoothGrad s) {
        if (s.noisySampleCount() == 0 && s.featureNoiseSigma().isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new SmoothGradConfig(
                    s.noisySampleCount(),
                    s.noiseSigma(),
                    SmoothGradConfig.parseFeatureNoiseSigma(
                            s.featureNoiseSigma().orElse(List.of()))));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("explain.smooth-grad: " + e.getMessage(), e);
        }
    }

    /** explain.blur-ig.*: off at a sigma of 0. */
    static Optional<BlurConfig> blur(ExplainConfig.BlurIg b) {
        if (b.maxBlurSigma() == 0) {
            return Optional.empty();
        }
        try {
            return Optional.of(new BlurConfig(
                    b.maxBlurSigma(), BlurConfig.Path.parse(b.path()), GaussianBlur.Boundary.parse(b.boundary())));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("explain.blur-ig: " + e.getMessage(), e);
        }
    }

    /** How Integrated Gradients and XRAI integrate: steps, rule, SmoothGrad and blur. */
    public PathOptions pathOptions() {
        return new PathOptions(integralSteps, integrationRule, smoothGrad, blur);
    }

    public RuntimeOptions withSmoothGrad(SmoothGradConfig config) {
        return new RuntimeOptions(
                modelDir,
                metadataFile,
                modelName,
                modelVersion,
                signature,
                method,
                integralSteps,
                paths,
                batchSize,
                integrationRule,
                xrai,
                includeRaw,
                warmUpFreeDimension,
                limits,
                Optional.ofNullable(config),
                blur);
    }

    public RuntimeOptions withBlur(BlurConfig config) {
        return new RuntimeOptions(
                modelDir,
                metadataFile,
                modelName,
                modelVersion,
                signature,
                method,
                integralSteps,
                paths,
                batchSize,
                integrationRule,
                xrai,
                includeRaw,
                warmUpFreeDimension,
                limits,
                smoothGrad,
                Optional.ofNullable(config));
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

    /** How TensorFlow takes GPU memory (explain.gpu.*); a fraction outside (0, 1] throws naming the setting. */
    public static GpuSettings gpu(ExplainConfig c) {
        return new GpuSettings(c.gpu().memoryFraction().map(OptionalDouble::of).orElse(OptionalDouble.empty()));
    }

    /** The same options for the model in {@code dir} (a fetched copy of a URI's model). */
    public RuntimeOptions withModelDir(String dir) {
        return new RuntimeOptions(
                dir,
                metadataFile,
                modelName,
                modelVersion,
                signature,
                method,
                integralSteps,
                paths,
                batchSize,
                integrationRule,
                xrai,
                includeRaw,
                warmUpFreeDimension,
                limits,
                smoothGrad,
                blur);
    }

    public RuntimeOptions withMethod(AttributionMethod m) {
        return new RuntimeOptions(
                modelDir,
                metadataFile,
                modelName,
                modelVersion,
                signature,
                m,
                integralSteps,
                paths,
                batchSize,
                integrationRule,
                xrai,
                includeRaw,
                warmUpFreeDimension,
                limits,
                smoothGrad,
                blur);
    }

    public RuntimeOptions withIntegralSteps(int steps) {
        return new RuntimeOptions(
                modelDir,
                metadataFile,
                modelName,
                modelVersion,
                signature,
                method,
                steps,
                paths,
                batchSize,
                integrationRule,
                xrai,
                includeRaw,
                warmUpFreeDimension,
                limits,
                smoothGrad,
                blur);
    }

    public RuntimeOptions withPaths(int p) {
        return new RuntimeOptions(
                modelDir,
                metadataFile,
                modelName,
                modelVersion,
                signature,
                method,
                integralSteps,
                p,
                batchSize,
                integrationRule,
                xrai,
                includeRaw,
                warmUpFreeDimension,
                limits,
                smoothGrad,
                blur);
    }

    public RuntimeOptions withBatchSize(int size) {
        return new RuntimeOptions(
                modelDir,
                metadataFile,
                modelName,
                modelVersion,
                signature,
                method,
                integralSteps,
                paths,
                size,
                integrationRule,
                xrai,
                includeRaw,
                warmUpFreeDimension,
                limits,
                smoothGrad,
                blur);
    }

    public RuntimeOptions withIntegrationRule(IntegrationRule rule) {
        return new RuntimeOptions(
                modelDir,
                metadataFile,
                modelName,
                modelVersion,
                signature,
                method,
                integralSteps,
                paths,
                batchSize,
                rule,
                xrai,
                includeRaw,
                warmUpFreeDimension,
                limits,
                smoothGrad,
                blur);
    }

    public RuntimeOptions withMetadataFile(String file) {
        return new RuntimeOptions(
                modelDir,
                file,
                modelName,
                modelVersion,
                signature,
                method,
                integralSteps,
                paths,
                batchSize,
                integrationRule,
                xrai,
                includeRaw,
                warmUpFreeDimension,
                limits,
                smoothGrad,
                blur);
    }

    public RuntimeOptions withIncludeRaw(boolean raw) {
        return new RuntimeOptions(
                modelDir,
                metadataFile,
                modelName,
                modelVersion,
                signature,
                method,
                integralSteps,
                paths,
                batchSize,
                integrationRule,
                xrai,
                raw,
                warmUpFreeDimension,
                limits,
                smoothGrad,
                blur);
    }

    public RuntimeOptions withWarmUpFreeDimension(int size) {
        return new RuntimeOptions(
                modelDir,
                metadataFile,
                modelName,
                modelVersion,
                signature,
                method,
                integralSteps,
                paths,
                batchSize,
                integrationRule,
                xrai,
                includeRaw,
                size,
                limits,
                smoothGrad,
                blur);
    }

    public RuntimeOptions withLimits(RequestLimits l) {
        return new RuntimeOptions(
                modelDir,
                metadataFile,
                modelName,
                modelVersion,
                signature,
                method,
                integralSteps,
                paths,
                batchSize,
                integrationRule,
                xrai,
                includeRaw,
                warmUpFreeDimension,
                l,
                smoothGrad,
                blur);
    }
}
