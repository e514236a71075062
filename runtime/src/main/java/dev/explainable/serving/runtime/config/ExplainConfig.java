package dev.explainable.serving.runtime.config;

import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/** The runtime's settings ({@code explain.*}, or the matching {@code EXPLAIN_*} environment variables). */
@ConfigMapping(prefix = "explain")
public interface ExplainConfig {

    Model model();

    Metadata metadata();

    /** {@code integrated-gradients}; {@code xrai} and {@code sampled-shapley} are planned. */
    @WithDefault("integrated-gradients")
    String method();

    /** Integrated Gradients path steps, gcloud's {@code --num-integral-steps} (default 50). */
    @WithName("integral-steps")
    @WithDefault("50")
    int integralSteps();

    /** Sampled Shapley permutations, gcloud's {@code --num-paths} (default 50). */
    @WithDefault("50")
    int paths();

    /** Most interpolation points evaluated in one TensorFlow run. */
    @WithName("batch-size")
    @WithDefault("64")
    int batchSize();

    /** Largest accepted request body; AI Platform's online prediction limit is 1.5 MB. */
    @WithName("max-request-bytes")
    @WithDefault("1572864")
    long maxRequestBytes();

    /**
     * Exit with status 3 when the model cannot be loaded, instead of staying up and unready. The operator sets
     * it, so that Kubernetes shows the failure (CrashLoopBackOff with the message) and status says ModelLoadFailed.
     */
    @WithName("exit-on-load-failure")
    @WithDefault("false")
    boolean exitOnLoadFailure();

    Visualization visualization();

    /** {@code trapezoid} (default) or {@code uniform} (PAIR saliency's rule); see IntegrationRule. */
    @WithName("integration-rule")
    @WithDefault("trapezoid")
    String integrationRule();

    Xrai xrai();

    /** XRAI's parameters; the defaults are PAIR saliency's (see XraiParameters). */
    interface Xrai {
        @WithName("segmentation-size")
        @WithDefault("224")
        int segmentationSize();

        @WithDefault("50,100,150,250,500,1200")
        java.util.List<Double> scales();

        @WithDefault("0.8")
        double sigma();

        @WithName("min-segment-size")
        @WithDefault("150")
        int minSegmentSize();

        @WithName("dilation-radius")
        @WithDefault("5")
        int dilationRadius();

        @WithName("min-pixel-diff")
        @WithDefault("50")
        int minPixelDiff();

        @WithName("area-threshold")
        @WithDefault("1.0")
        double areaThreshold();
    }

    interface Visualization {
        /** Also return the raw attribution tensor of image inputs, under "values" beside the rendered image. */
        @WithName("include-raw")
        @WithDefault("false")
        boolean includeRaw();
    }

    interface Model {
        /** The SavedModel folder. */
        Optional<String> dir();

        /** The model name the endpoints answer to. */
        @WithDefault("model")
        String name();

        /** The version the endpoints answer to; also the default version of this pod. */
        @WithDefault("v1")
        String version();

        /** SavedModel signature to serve when the metadata does not name one. */
        @WithDefault("serving_default")
        String signature();
    }

    interface Metadata {
        /** Overrides {@code <model.dir>/explanation_metadata.json}. */
        Optional<String> file();
    }
}
