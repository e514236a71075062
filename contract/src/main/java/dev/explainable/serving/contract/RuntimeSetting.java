package dev.explainable.serving.contract;

import java.util.Locale;

/**
 * The runtime settings the operator sets on a version's pods, and the model fetcher's bounds, which it leaves at the
 * runtime's defaults ({@link #setByOperator()}). Each is a runtime property ({@code explain.*}) read from the
 * environment variable of MicroProfile Config's mapping ({@code EXPLAIN_*}); the runtime's configuration holds their
 * defaults.
 */
public enum RuntimeSetting {
    MODEL_DIR("explain.model.dir"),
    MODEL_NAME("explain.model.name"),
    MODEL_VERSION("explain.model.version"),
    METHOD("explain.method"),
    INTEGRAL_STEPS("explain.integral-steps"),
    PATHS("explain.paths"),
    METADATA_FILE("explain.metadata.file"),
    EXIT_ON_LOAD_FAILURE("explain.exit-on-load-failure"),
    /**
     * Who may call the model: "kubernetes" (a bearer token the API server's TokenReview accepts, and a
     * SubjectAccessReview allowing the call) or "none". The operator sets the model's {@code spec.auth}.
     */
    AUTH_MODE("explain.auth.mode"),
    /**
     * Where another version of the same model answers, {@code {version}} standing for its name: a Vertex request
     * whose deployedModelId names another version is forwarded there (the model's Service reaches the default only).
     */
    ROUTING_VERSION_URL("explain.routing.version-url"),
    /**
     * A file listing the model's versions ({@link VersionList}'s format): only a version it lists is forwarded to, and
     * without a readable file nothing is. The operator mounts the model's versions ConfigMap there, which the kubelet
     * refreshes in place, so adding a version changes no pod template.
     */
    ROUTING_VERSIONS_FILE("explain.routing.versions-file"),
    /**
     * Most requests a pod forwards to other versions at once (each holds a worker thread while the other version
     * answers); past it a forward is refused with 429. The operator sets {@link RoutingDefaults#MAX_CONCURRENT_FORWARDS}.
     */
    ROUTING_MAX_CONCURRENT_FORWARDS("explain.routing.max-concurrent-forwards"),
    /** The share of served explanations profiled for attribution monitoring, 0 (off) to 1. */
    MONITORING_SAMPLE_RATE("explain.monitoring.sample-rate"),
    /** Profiled explanations per monitoring window. */
    MONITORING_WINDOW_SIZE("explain.monitoring.window-size"),
    /** The training baseline's attribution profiles (a file or a pattern, gs:// or s3://). */
    MONITORING_BASELINE_URI("explain.monitoring.baseline-uri"),
    /** A feature's skew against the baseline that is reported. */
    MONITORING_SKEW_THRESHOLD("explain.monitoring.skew-threshold"),
    /** A feature's drift against the previous window that is reported. */
    MONITORING_DRIFT_THRESHOLD("explain.monitoring.drift-threshold"),
    /** Example-based explanations' example set: JSONL files (or patterns), gs://, s3:// or paths, comma-separated. */
    EXAMPLES_URIS("explain.examples.uris"),
    /** Neighbours per instance unless a request says otherwise (Vertex's examples.neighborCount). */
    EXAMPLES_NEIGHBOR_COUNT("explain.examples.neighbor-count"),
    /** exact (Vertex's preset query PRECISE) or approximate (FAST). */
    EXAMPLES_SEARCH("explain.examples.search"),
    /** squared-l2 (Vertex's preset modality TABULAR) or cosine (IMAGE, TEXT). */
    EXAMPLES_DISTANCE("explain.examples.distance"),
    /** The model fetcher's Cloud Storage endpoint (an emulator's, a private endpoint's); Google's when unset. */
    STORAGE_GCS_ENDPOINT("explain.storage.gcs.endpoint"),
    /** The model fetcher's S3 endpoint (an S3-compatible store); AWS's when unset. */
    STORAGE_S3_ENDPOINT("explain.storage.s3.endpoint"),
    /** Path-style S3 requests (endpoint/bucket/key): "true" or "false". */
    STORAGE_S3_PATH_STYLE("explain.storage.s3.path-style"),
    /** The S3 region. */
    STORAGE_S3_REGION("explain.storage.s3.region"),
    /** Unsigned requests for public buckets: "true" or "false"; never a fallback when credentials are missing. */
    STORAGE_ANONYMOUS("explain.storage.anonymous"),
    /** Most bytes one model may have; a larger one is refused before its download. */
    STORAGE_MAX_BYTES("explain.storage.max-bytes"),
    /** Most objects (or archive entries) one model may have. */
    STORAGE_MAX_OBJECTS("explain.storage.max-objects"),
    /** Longest one fetch may take, retries included (a duration: "30m"). */
    STORAGE_TIMEOUT("explain.storage.timeout"),
    /** Attempts of one request before a transient failure is final. */
    STORAGE_ATTEMPTS("explain.storage.attempts"),
    /** Longest one request may wait for a connection, an answer or its next bytes (a duration: "60s"). */
    STORAGE_REQUEST_TIMEOUT("explain.storage.request-timeout");

    private final String property;

    RuntimeSetting(String property) {
        this.property = property;
    }

    /** The runtime's property name. */
    public String property() {
        return property;
    }

    /**
     * Whether the operator sets it on a version's pods; the fetcher's bounds (max-bytes, max-objects, timeout,
     * attempts, request-timeout) it leaves at the runtime's defaults.
     */
    public boolean setByOperator() {
        return switch (this) {
            case STORAGE_MAX_BYTES, STORAGE_MAX_OBJECTS, STORAGE_TIMEOUT, STORAGE_ATTEMPTS, STORAGE_REQUEST_TIMEOUT ->
                false;
            default -> true;
        };
    }

    /** The environment variable MicroProfile Config maps to {@link #property()}: non-alphanumerics become '_'. */
    public String env() {
        return property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
    }
}
