package dev.explainable.serving.runtime.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

import dev.explainable.serving.contract.AttributionMethod;
import dev.explainable.serving.contract.ExplanationDefaults;
import dev.explainable.serving.runtime.explain.AdaptiveSteps;
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
 * @param targetApproxError the approx_error Integrated Gradients and XRAI refine their steps towards
 *                     (explain.target-approx-error), or empty for fixed steps
 * @param maxIntegralSteps  the most steps a refinement may reach (explain.max-integral-steps), a request's target
 *                     included
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
        Optional<BlurConfig> blur,
        Batching batching,
        Optional<Double> targetApproxError,
        int maxIntegralSteps) {

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

        /** The shipped defaults. */
        public static Batching defaults() {
            return new Batching(true, 512, Duration.ZERO, 0);
        }

        /** Each request runs alone. */
        public static Batching off() {
            return new Batching(false, 1, Duration.ZERO, 0);
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
                Optional.empty(),
                Batching.defaults(),
                Optional.empty(),
                400);
    }

    /**
     * Reads the configuration; a method or integration rule that does not parse throws
     * {@link IllegalArgumentException} naming the setting and the valid values.
     */
    public static RuntimeOptions from(ExplainConfig c) {
        var x = c.xrai();
        var l = c.limits();
        IntegrationRule rule = IntegrationRule.parse(c.integrationRule());
        adaptiveSteps(c.targetApproxError(), c.maxIntegralSteps(), rule);
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
                rule,
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
                blur(c.blurIg()),
                new Batching(
                        c.batching().enabled(),
                        c.batching().maxPoints(),
                        c.batching().maxWait(),
                        c.batching().concurrentRuns()),
                c.targetApproxError(),
                c.maxIntegralSteps());
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

    /**
     * explain.target-approx-error and explain.max-integral-steps, checked at startup (a value out of range, or a
     * target with the uniform rule, fails it naming the setting): the refinement, or empty without a target.
     */
    static Optional<AdaptiveSteps> adaptiveSteps(Optional<Double> target, int maxSteps, IntegrationRule rule) {
        try {
            // the cap is checked with or without a target: a request may bring one
            AdaptiveSteps.checkMaxSteps(maxSteps);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("explain.max-integral-steps: " + e.getMessage(), e);
        }
        if (target.isEmpty()) {
            return Optional.empty();
        }
        try {
            AdaptiveSteps a = new AdaptiveSteps(target.get(), maxSteps);
            PathOptions.of(1, rule).withAdaptiveSteps(a);
            return Optional.of(a);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("explain.target-approx-error: " + e.getMessage(), e);
        }
    }

    /** How Integrated Gradients and XRAI integrate: steps, rule, SmoothGrad, blur and a target error. */
    public PathOptions pathOptions() {
        return new PathOptions(
                integralSteps,
                integrationRule,
                smoothGrad,
                blur,
                adaptiveSteps(targetApproxError, maxIntegralSteps, integrationRule));
    }

    /** The refinement towards a request's target {@code approx_error}, within this runtime's step cap. */
    public AdaptiveSteps adaptiveSteps(double target) {
        return new AdaptiveSteps(target, maxIntegralSteps);
    }

    public RuntimeOptions withTargetApproxError(Double target) {
        return toBuilder().targetApproxError(Optional.ofNullable(target)).build();
    }

    public RuntimeOptions withMaxIntegralSteps(int cap) {
        return toBuilder().maxIntegralSteps(cap).build();
    }

    public RuntimeOptions withSmoothGrad(SmoothGradConfig config) {
        return toBuilder().smoothGrad(Optional.ofNullable(config)).build();
    }

    public RuntimeOptions withBatching(Batching b) {
        return toBuilder().batching(b).build();
    }

    public RuntimeOptions withBlur(BlurConfig config) {
        return toBuilder().blur(Optional.ofNullable(config)).build();
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
        return toBuilder().modelDir(dir).build();
    }

    public RuntimeOptions withMethod(AttributionMethod m) {
        return toBuilder().method(m).build();
    }

    public RuntimeOptions withIntegralSteps(int steps) {
        return toBuilder().integralSteps(steps).build();
    }

    public RuntimeOptions withPaths(int p) {
        return toBuilder().paths(p).build();
    }

    public RuntimeOptions withBatchSize(int size) {
        return toBuilder().batchSize(size).build();
    }

    public RuntimeOptions withIntegrationRule(IntegrationRule rule) {
        return toBuilder().integrationRule(rule).build();
    }

    public RuntimeOptions withMetadataFile(String file) {
        return toBuilder().metadataFile(file).build();
    }

    public RuntimeOptions withIncludeRaw(boolean raw) {
        return toBuilder().includeRaw(raw).build();
    }

    public RuntimeOptions withWarmUpFreeDimension(int size) {
        return toBuilder().warmUpFreeDimension(size).build();
    }

    public RuntimeOptions withLimits(RequestLimits l) {
        return toBuilder().limits(l).build();
    }

    /** This record with every value copied, for the {@code with*} methods to change one. */
    private Builder toBuilder() {
        Builder b = new Builder();
        b.modelDir = modelDir;
        b.metadataFile = metadataFile;
        b.modelName = modelName;
        b.modelVersion = modelVersion;
        b.signature = signature;
        b.method = method;
        b.integralSteps = integralSteps;
        b.paths = paths;
        b.batchSize = batchSize;
        b.integrationRule = integrationRule;
        b.xrai = xrai;
        b.includeRaw = includeRaw;
        b.warmUpFreeDimension = warmUpFreeDimension;
        b.limits = limits;
        b.smoothGrad = smoothGrad;
        b.blur = blur;
        b.batching = batching;
        b.targetApproxError = targetApproxError;
        b.maxIntegralSteps = maxIntegralSteps;
        return b;
    }

    /** The values of a {@link RuntimeOptions} being changed: one place that lists them all. */
    private static final class Builder {
        private String modelDir;
        private String metadataFile;
        private String modelName;
        private String modelVersion;
        private String signature;
        private AttributionMethod method;
        private int integralSteps;
        private int paths;
        private int batchSize;
        private IntegrationRule integrationRule;
        private XraiParameters xrai;
        private boolean includeRaw;
        private int warmUpFreeDimension;
        private RequestLimits limits;
        private Optional<SmoothGradConfig> smoothGrad;
        private Optional<BlurConfig> blur;
        private Batching batching;
        private Optional<Double> targetApproxError;
        private int maxIntegralSteps;

        Builder modelDir(String v) {
            this.modelDir = v;
            return this;
        }

        Builder metadataFile(String v) {
            this.metadataFile = v;
            return this;
        }

        Builder method(AttributionMethod v) {
            this.method = v;
            return this;
        }

        Builder integralSteps(int v) {
            this.integralSteps = v;
            return this;
        }

        Builder paths(int v) {
            this.paths = v;
            return this;
        }

        Builder batchSize(int v) {
            this.batchSize = v;
            return this;
        }

        Builder integrationRule(IntegrationRule v) {
            this.integrationRule = v;
            return this;
        }

        Builder includeRaw(boolean v) {
            this.includeRaw = v;
            return this;
        }

        Builder warmUpFreeDimension(int v) {
            this.warmUpFreeDimension = v;
            return this;
        }

        Builder limits(RequestLimits v) {
            this.limits = v;
            return this;
        }

        Builder smoothGrad(Optional<SmoothGradConfig> v) {
            this.smoothGrad = v;
            return this;
        }

        Builder blur(Optional<BlurConfig> v) {
            this.blur = v;
            return this;
        }

        Builder batching(Batching v) {
            this.batching = v;
            return this;
        }

        Builder targetApproxError(Optional<Double> v) {
            this.targetApproxError = v;
            return this;
        }

        Builder maxIntegralSteps(int v) {
            this.maxIntegralSteps = v;
            return this;
        }

        RuntimeOptions build() {
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
                    blur,
                    batching,
                    targetApproxError,
                    maxIntegralSteps);
        }
    }
}
