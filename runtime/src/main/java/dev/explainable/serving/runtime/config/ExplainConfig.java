package dev.explainable.serving.runtime.config;

import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import dev.explainable.serving.contract.AttributionMethod;
import dev.explainable.serving.contract.ExplanationDefaults;
import dev.explainable.serving.contract.RoutingDefaults;

/**
 * The runtime's settings ({@code explain.*}, or the matching {@code EXPLAIN_*} environment variables): the one place
 * that names each setting and gives its default ({@code @WithDefault}). Read here directly by the API edge
 * ({@code api}: the body size, the limits its HTTP guards and idle timeout enforce, admission, routing, the model's
 * name and version) and by {@code ModelHost} ({@code service}: the model's name, version and method, the model cache
 * folder, exit-on-load-failure); loading and serving read {@link RuntimeOptions}, records built from this. Adding a
 * setting is one method here plus one row in docs/configuration.md ({@code ConfigurationDocsTest} checks the row).
 *
 * <p>Longer than 400 lines on purpose: it is the documented list of every runtime setting, one method each, grouped
 * as the properties are; kept in one file (as Keycloak's operator keeps its {@code Config}) so that names, defaults
 * and meanings are read and reviewed together.
 */
@ConfigMapping(prefix = "explain")
public interface ExplainConfig {

    Model model();

    Metadata metadata();

    /** {@code integrated-gradients} (default), {@code xrai} or {@code sampled-shapley} (see AttributionMethod). */
    @WithDefault(AttributionMethod.DEFAULT_RUNTIME_NAME)
    String method();

    /** Integrated Gradients path steps, gcloud's {@code --num-integral-steps} (default 50). */
    @WithName("integral-steps")
    @WithDefault(ExplanationDefaults.INTEGRAL_STEPS_TEXT)
    int integralSteps();

    /** Sampled Shapley permutations, gcloud's {@code --num-paths} (default 50). */
    @WithDefault(ExplanationDefaults.PATHS_TEXT)
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

    /**
     * Where set, Integrated Gradients and XRAI double their steps from integral-steps until approx_error is at most
     * this (1e-4..0.5) or max-integral-steps is reached; unset: the steps are fixed (AI Platform's behaviour).
     */
    @WithName("target-approx-error")
    Optional<Double> targetApproxError();

    /** The most steps a refinement towards a target approx_error may reach (1..1000); the work bounds count it. */
    @WithName("max-integral-steps")
    @WithDefault("400")
    int maxIntegralSteps();

    /**
     * Where a refinement towards a target approx_error puts its points: local-error (each round halves the intervals
     * that hold half the error; beyond 128 MiB of kept gradients as score-change), score-change (a forward-only probe
     * gives the stretches of the path where the score moves more of the steps, then doubled) or equal (equal steps,
     * as fixed steps have, doubled).
     */
    @WithName("step-placement")
    @WithDefault("local-error")
    String stepPlacement();

    Xrai xrai();

    /** SmoothGrad for Integrated Gradients and XRAI (Vertex AI's smoothGradConfig); off by default. */
    @WithName("smooth-grad")
    SmoothGrad smoothGrad();

    /** A blurred start for Integrated Gradients and XRAI (Vertex AI's blurBaselineConfig); off by default. */
    @WithName("blur-ig")
    BlurIg blurIg();

    Limits limits();

    Routing routing();

    /** TensorFlow runs shared by concurrent requests of the model (cross-request batching). */
    Batching batching();

    /** The batch entry ({@code quarkus-run.jar batch}): one shard of a batch explanation job. Serving ignores it. */
    Batch batch();

    /** One shard of a batch explanation job: its input, its output folder, which shard it is. See BatchMain. */
    /** Example-based explanations: the nearest examples of an example set in the model's latent space. */
    Examples examples();

    interface Examples {
        /**
         * The example set: JSONL files (each line an instance with its "id"), on gs://, s3:// or a local path,
         * comma-separated, with * and ? in the last segment; read with explain.storage.*. Unset: no example set.
         */
        Optional<java.util.List<String>> uris();

        /** Neighbours per instance unless a request's examplesOverride.neighborCount says otherwise. */
        @WithName("neighbor-count")
        @WithDefault("10")
        int neighborCount();

        /** The most neighbours a request may ask for. */
        @WithName("max-neighbor-count")
        @WithDefault("100")
        int maxNeighborCount();

        /** exact (Vertex's preset PRECISE) or approximate (FAST: an HNSW graph, re-ranked exactly). */
        @WithDefault("exact")
        String search();

        /** squared-l2 (Vertex's modality TABULAR) or cosine (IMAGE, TEXT). */
        @WithDefault("squared-l2")
        String distance();

        /** Below this many examples the search is exact even where approximate is asked (as fast, and exact). */
        @WithName("exact-below")
        @WithDefault("2000")
        int exactBelow();

        /** Examples the HNSW graph is asked for per query, ranked again by exact distance. */
        @WithDefault("100")
        int candidates();

        /** The HNSW graph's neighbours per node (M). */
        @WithName("max-connections")
        @WithDefault("16")
        int maxConnections();

        /** Candidates while the HNSW graph is built. */
        @WithName("beam-width")
        @WithDefault("100")
        int beamWidth();

        /** The most examples a set may hold; more fails the load, naming this setting. */
        @WithName("max-examples")
        @WithDefault("1000000")
        int maxExamples();

        /** The most bytes the set's embeddings, graph and kept lines may take; more fails the load. */
        @WithName("max-bytes")
        @WithDefault("536870912")
        long maxBytes();

        /** The most bytes of example lines kept to show beside neighbours (on the page); past it none are kept. */
        @WithName("max-kept-bytes")
        @WithDefault("16777216")
        long maxKeptBytes();

        /** A longer line of the example set is reported as a bad line, not read. */
        @WithName("max-line-bytes")
        @WithDefault("4194304")
        long maxLineBytes();
    }

    /** Attribution monitoring: profiles of served explanations, skew against a baseline, drift between windows. */
    Monitoring monitoring();

    interface Monitoring {
        /** The share of served explanations profiled, 0 (off) to 1; each adds no TensorFlow work. */
        @WithName("sample-rate")
        @WithDefault("0")
        double sampleRate();

        /** Profiled explanations per window: each full window is compared with the previous one and the baseline. */
        @WithName("window-size")
        @WithDefault("1000")
        int windowSize();

        /**
         * The training baseline: a profile file, or files matching a pattern (a batch job's
         * {@code attribution.profile-*}), on gs://, s3:// or a local path, read with explain.storage.*; merged.
         */
        @WithName("baseline-uri")
        Optional<String> baselineUri();

        /** A feature's share change (or the overall Jensen-Shannon distance) against the baseline that alerts. */
        @WithName("skew-threshold")
        @WithDefault("0.1")
        double skewThreshold();

        /** The same against the previous window. */
        @WithName("drift-threshold")
        @WithDefault("0.1")
        double driftThreshold();
    }

    interface Batch {
        /** Input files: gs://, s3:// or local paths, comma-separated, with * and ? in the last segment. */
        @WithName("input-uris")
        Optional<java.util.List<String>> inputUris();

        /** jsonl (one instance a line), csv (a header line, then one array instance a row) or file-list. */
        @WithName("instances-format")
        @WithDefault("jsonl")
        String instancesFormat();

        /** The job's output folder (gs://, s3:// or local) the shard writes its two files into. */
        @WithName("output-directory")
        Optional<String> outputDirectory();

        /** This shard, 0..shard-count-1; default the Indexed Job's JOB_COMPLETION_INDEX, else 0. */
        @WithName("shard-index")
        Optional<Integer> shardIndex();

        /** How many shards share the input. */
        @WithName("shard-count")
        @WithDefault("1")
        int shardCount();

        /** Explanations with the predictions (explanation.results-*); false: predictions only (prediction.results-*). */
        @WithName("generate-explanation")
        @WithDefault("true")
        boolean generateExplanation();

        /** Vertex's instanceConfig.instanceType: object or array; default csv rows arrays, jsonl as written. */
        @WithName("instance-type")
        Optional<String> instanceType();

        /** A field of each object instance written as the output line's key instead of the instance; not sent. */
        @WithName("key-field")
        Optional<String> keyField();

        /** Only these fields of each object instance, in this order (not with excluded-fields). */
        @WithName("included-fields")
        Optional<java.util.List<String>> includedFields();

        /** All fields of each object instance but these (not with included-fields). */
        @WithName("excluded-fields")
        Optional<java.util.List<String>> excludedFields();

        /** Instances explained in one call of the pipeline (a Vertex request's instances). */
        @WithName("instances-per-call")
        @WithDefault("8")
        int instancesPerCall();

        /** Calls explained at once; their TensorFlow runs are shared (explain.batching). */
        @WithName("calls-in-flight")
        @WithDefault("4")
        int callsInFlight();
    }

    /**
     * Concurrent explanations and predictions put their points into common TensorFlow runs: a run takes every
     * compatible waiting point up to {@code max-points} (and explain.limits.max-batch-elements), so runs get fewer
     * and larger as load grows, and a lone request waits for nobody.
     */
    interface Batching {
        /** Off: every request runs its own batches, as before. */
        @WithDefault("true")
        boolean enabled();

        /** Most points (rows) of one shared run. */
        @WithName("max-points")
        @WithDefault("512")
        int maxPoints();

        /**
         * How long a run that is not full waits for other requests' points before it starts; 0 starts at once with
         * whatever is waiting (runs still merge while all runners are busy).
         */
        @WithName("max-wait")
        @WithDefault("0ms")
        java.time.Duration maxWait();

        /** TensorFlow runs at once for this model (each uses TensorFlow's own threads); 0: the CPU count. */
        @WithName("concurrent-runs")
        @WithDefault("0")
        int concurrentRuns();
    }

    /** How a request for another version of this model reaches it. */
    interface Routing {
        /**
         * The URL of another version, {@code {version}} standing for its name (the operator sets
         * {@code http://<model>-{version}.<namespace>.svc}, the version's Service); unset: such requests answer 404.
         * Forwarding needs {@link #versionsFile()} too.
         */
        @WithName("version-url")
        Optional<String> versionUrl();

        /**
         * The file listing the model's versions, one a line (the operator mounts the model's versions ConfigMap
         * there, which the kubelet keeps current): only a version it lists is forwarded to; re-read when it changes.
         * Unset: nothing is forwarded (requests for other versions answer 404); set but missing, unreadable or larger
         * than 64 KiB: nothing is forwarded (503) until it can be read.
         */
        @WithName("versions-file")
        Optional<String> versionsFile();

        /**
         * Forwards in flight at once (each holds a worker thread until the other version answers or the request's
         * deadline passes); past it a forward is refused with 429 at once, without a queue: the other version
         * queues with its own admission control.
         */
        @WithName("max-concurrent-forwards")
        @WithDefault(RoutingDefaults.MAX_CONCURRENT_FORWARDS_TEXT)
        int maxConcurrentForwards();
    }

    Admission admission();

    /** Who may call the model's API: Kubernetes identities and RBAC, or anyone (see docs/security.md). */
    Auth auth();

    /**
     * Callers authenticated with the API server's TokenReview and authorized with its SubjectAccessReview on the
     * model ({@code explainablemodels} of {@code serving.explainable.dev}); the API server is found from the
     * in-cluster configuration or {@code KUBECONFIG}.
     */
    interface Auth {
        /** {@code none} (every caller may call: the runtime on its own, tools/run-example.sh) or {@code kubernetes} (the operator sets it unless the model says none). */
        @WithDefault("none")
        String mode();

        /** Audiences a token must have been issued for (TokenReview's); unset: the API server's own. */
        Optional<java.util.List<String>> audiences();

        /** The model's namespace, where RBAC is asked; unset: the pod's own (its ServiceAccount's namespace file). */
        Optional<String> namespace();

        /** Longest wait for the API server on one request (never past the request's deadline); 503 after. */
        @WithDefault("3s")
        java.time.Duration timeout();

        /** How long a token's verified identity is kept, and a refused token's refusal (TokenReview). */
        @WithName("identity-ttl")
        @WithDefault("2m")
        java.time.Duration identityTtl();

        /** How long an allowed SubjectAccessReview is kept. */
        @WithName("allowed-ttl")
        @WithDefault("5m")
        java.time.Duration allowedTtl();

        /** How long a denied SubjectAccessReview, and a refused token, is kept. */
        @WithName("denied-ttl")
        @WithDefault("30s")
        java.time.Duration deniedTtl();

        /** Most entries each of the identity and decision caches holds. */
        @WithName("cache-size")
        @WithDefault("10000")
        int cacheSize();
    }

    /** Where models with a URI for {@code model.dir} come from: the stores' endpoints and the fetch's bounds. */
    Storage storage();

    /** How TensorFlow takes GPU memory (the -gpu image); the CPU image ignores it. */
    Gpu gpu();

    /**
     * One model per pod: by default TensorFlow grows its GPU memory as the model needs it (and keeps what it took);
     * with a fraction it takes that much of each visible GPU at load, and never more.
     */
    interface Gpu {
        /**
         * Fraction of each visible GPU's memory TensorFlow takes at load, in (0, 1] (TensorFlow's
         * {@code per_process_gpu_memory_fraction}); unset (default): memory growth ({@code allow_growth}).
         */
        @WithName("memory-fraction")
        Optional<Double> memoryFraction();
    }

    /** Free dimensions (such as the height and width of a free-size image model) take this size in the warm-up. */
    @WithName("warm-up-free-dimension")
    @WithDefault("224")
    int warmUpFreeDimension();

    /**
     * Bounds on the work one request may cause, checked before the expensive work. A request past one is refused
     * with 400 (or 413 for the body) naming the setting.
     */
    interface Limits {
        /** Most instances in one request. */
        @WithName("max-instances")
        @WithDefault("32")
        int maxInstances();

        /**
         * Most named overrides in one v1beta1 {@code concurrentExplanationSpecOverride}; each is explained besides
         * the request's own explanation, within the request's deadline and admission slot.
         */
        @WithName("max-concurrent-explanations")
        @WithDefault("4")
        int maxConcurrentExplanations();

        /** Most pixels (height x width) of one image, read from its header before it is decoded. */
        @WithName("max-image-pixels")
        @WithDefault("4194304")
        long maxImagePixels();

        /** Largest size a request may give a free (None) dimension of an input. */
        @WithName("max-free-dimension")
        @WithDefault("4096")
        long maxFreeDimension();

        /**
         * Most values fed to the model in one TensorFlow run (points x elements of the explained inputs): bounds the
         * memory of a run and of a request (an explanation holds ~60 bytes per value of one point on the heap). The
         * batch shrinks to fit; one point larger than this is refused. The default (2^20, e.g. 21 points of a
         * 224x224 RGB image) keeps two concurrent explanations well inside a 2 GiB pod.
         */
        @WithName("max-batch-elements")
        @WithDefault("1048576")
        long maxBatchElements();

        /**
         * Most values one request may evaluate in all (instances x labels x points x elements), Blur IG's blurs
         * counted as one value per 64 multiply-adds.
         */
        @WithName("max-request-elements")
        @WithDefault("1000000000")
        long maxRequestElements();

        /** Time a request may take from its arrival, queueing included (AI Platform's is 60 s). */
        @WithDefault("60s")
        java.time.Duration deadline();

        /** Time a client may take to send its request body. */
        @WithName("body-timeout")
        @WithDefault("30s")
        java.time.Duration bodyTimeout();

        /**
         * Requests in progress at once on the API port (from their headers to their answers, bodies still arriving
         * included): bounds the request bodies held in memory. More are refused at once with 503 and their
         * connections closed.
         */
        @WithName("max-requests-in-progress")
        @WithDefault("128")
        int maxRequestsInProgress();

        /**
         * Requests one client address may have in progress at once; more are refused at once with 429 and their
         * connections closed, so that one client cannot take the API port from everyone else (a quarter of
         * max-requests-in-progress: two flooding addresses leave half of it to the others). Behind a proxy or
         * gateway every request comes from its address: raise this to max-requests-in-progress there.
         */
        @WithName("max-requests-per-client")
        @WithDefault("32")
        int maxRequestsPerClient();
    }

    /**
     * Admission control: explanations and predictions each have a bounded number running and a bounded queue;
     * beyond both a request gets 429 with Retry-After. Health endpoints never wait behind either.
     */
    interface Admission {
        /**
         * Explanations computed at once; 0: as many as the heap holds at their largest (heap / (300 bytes x
         * limits.max-batch-elements)), 2 to 16, so that concurrent requests can share TensorFlow runs.
         */
        @WithName("max-concurrent-explanations")
        @WithDefault("0")
        int maxConcurrentExplanations();

        /** Explanations waiting for a slot; more get 429. */
        @WithName("max-queued-explanations")
        @WithDefault("16")
        int maxQueuedExplanations();

        /** Predictions computed at once. */
        @WithName("max-concurrent-predictions")
        @WithDefault("4")
        int maxConcurrentPredictions();

        /** Predictions waiting for a slot; more get 429. */
        @WithName("max-queued-predictions")
        @WithDefault("64")
        int maxQueuedPredictions();

        /** Longest a request waits in a queue before it is refused with 429 (never past its deadline). */
        @WithName("max-queue-wait")
        @WithDefault("10s")
        java.time.Duration maxQueueWait();
    }

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

    /**
     * The model fetcher ({@code gs://}, {@code s3://}, {@code http(s)://} models): the operator's init container, and
     * the runtime itself when {@code model.dir} is a URI. Credentials are never settings here: they come the way each
     * cloud's client finds them (Application Default Credentials; the AWS default provider chain).
     */
    interface Storage {
        Gcs gcs();

        S3 s3();

        /**
         * Send unsigned requests (public buckets, emulators). Off by default: without credentials a fetch fails,
         * never falling back to anonymous access by itself.
         */
        @WithDefault("false")
        boolean anonymous();

        /** Most bytes one model may have; a larger one is refused before its download. */
        @WithName("max-bytes")
        @WithDefault("10737418240")
        long maxBytes();

        /** Most objects (or archive entries) one model may have. */
        @WithName("max-objects")
        @WithDefault("10000")
        int maxObjects();

        /** Longest one fetch may take, retries included. */
        @WithDefault("30m")
        java.time.Duration timeout();

        /** Attempts of one request before a transient failure (no answer, 5xx, 429) is final; backoff in between. */
        @WithDefault("5")
        int attempts();

        /** Longest one request may wait for a connection or for the next bytes. */
        @WithName("request-timeout")
        @WithDefault("60s")
        java.time.Duration requestTimeout();

        /** Where the runtime keeps models it fetched itself (model.dir a URI); default: java.io.tmpdir's. */
        @WithName("cache-dir")
        Optional<String> cacheDir();

        interface Gcs {
            /** Cloud Storage endpoint, e.g. an emulator's http://127.0.0.1:4443; default Google's. */
            Optional<String> endpoint();
        }

        interface S3 {
            /** Endpoint of an S3-compatible store; default AWS's. */
            Optional<String> endpoint();

            /** Path-style requests (endpoint/bucket/key), which most S3-compatible stores need. */
            @WithName("path-style")
            @WithDefault("false")
            boolean pathStyle();

            /** The region; default the SDK's region chain (AWS_REGION), else us-east-1 with cross-region access. */
            Optional<String> region();
        }
    }

    /** See SmoothGradConfig and SmoothGrad. */
    interface SmoothGrad {
        /** Noisy copies of each path, 1..50 (Vertex's noisySampleCount; a Vertex request's default is 3); 0: off. */
        @WithName("noisy-sample-count")
        @WithDefault("0")
        int noisySampleCount();

        /** Standard deviation of the noise, in the explained inputs' units (Vertex's noiseSigma, default 0.1). */
        @WithName("noise-sigma")
        @WithDefault("0.1")
        double noiseSigma();

        /**
         * Per input, {@code name=sigma} (Vertex's featureNoiseSigma): replaces noise-sigma; inputs not named get no
         * noise.
         */
        @WithName("feature-noise-sigma")
        Optional<java.util.List<String>> featureNoiseSigma();
    }

    /** See BlurConfig and BlurPath. */
    interface BlurIg {
        /** Sigma of the most blurred image, in pixels, 0.125 to 1000 (Vertex's maxBlurSigma); 0: off. */
        @WithName("max-blur-sigma")
        @WithDefault("0")
        double maxBlurSigma();

        /** {@code blur} (Blur IG's path of blurs, default) or {@code straight} (a line from the blurred image). */
        @WithDefault("blur")
        String path();

        /** {@code zero} (PAIR saliency's, default) or {@code reflect}: what the blur reads past the edges. */
        @WithDefault("zero")
        String boundary();
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
