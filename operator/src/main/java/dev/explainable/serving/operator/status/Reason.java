package dev.explainable.serving.operator.status;

/**
 * The reasons the operator writes: in the model's conditions, in {@code status.versions[].reason} (the Progressing
 * and Degraded conditions take the first such version's), and in the Events it records. Their strings are part of
 * the API (kubectl columns, alerts, e2e): never change one. Besides these, a version's reason may be one Kubernetes
 * gave, passed on: a kubelet's waiting reason such as ImagePullBackOff, or a ReplicaFailure condition's reason.
 */
public enum Reason {

    /** Ready=True: every version serves its current configuration. */
    ALL_VERSIONS_AVAILABLE("AllVersionsAvailable"),
    /** Ready=False: some version does not serve its current configuration (yet). */
    VERSIONS_NOT_AVAILABLE("VersionsNotAvailable"),
    /** Available=True: the default version has a ready pod. */
    DEFAULT_VERSION_SERVING("DefaultVersionServing"),
    /** Available=False: the default version has no ready pod. */
    DEFAULT_VERSION_NOT_SERVING("DefaultVersionNotServing"),
    /**
     * Ready=False and Available=False: the model has no versions (yet), so nothing serves it; the message says to
     * add one.
     */
    NO_VERSIONS("NoVersions"),
    /** Progressing=False: no version is rolling out. */
    NO_ROLLOUT_IN_PROGRESS("NoRolloutInProgress"),
    /** Degraded=False: no version fails. */
    AS_EXPECTED("AsExpected"),
    /** The API server refused an object the operator applied: the conditions, and a Warning event. */
    APPLY_FAILED("ApplyFailed"),
    /** The operator's policy refused the model (file:// path, runtime image): the conditions, and a Warning event. */
    POLICY_VIOLATION("PolicyViolation"),

    /** A version is progressing: its Deployment is not in the operator's cache yet. */
    CREATING("Creating"),
    /** A version is progressing: its Deployment is being updated, or old pods still run. */
    ROLLING_OUT("RollingOut"),
    /** A version is progressing: its pods run the current configuration but are not all ready yet. */
    STARTING("Starting"),
    /** A version is available: all its pods run the current configuration and are ready (the Deployment's name). */
    MINIMUM_REPLICAS_AVAILABLE("MinimumReplicasAvailable"),
    /** A version is degraded: its runtime container exited (the model did not load); also its Warning event. */
    MODEL_LOAD_FAILED("ModelLoadFailed"),
    /** A version is degraded: its model fetcher init container failed; also its Warning event. */
    MODEL_FETCH_FAILED("ModelFetchFailed"),
    /** A version is degraded: a pod cannot be scheduled (the scheduler's reason); also its Warning event. */
    UNSCHEDULABLE("Unschedulable"),
    /** A version is degraded: its Deployment's progress deadline passed (the controller's reason); also its event. */
    PROGRESS_DEADLINE_EXCEEDED("ProgressDeadlineExceeded"),
    /** A version is degraded: its pods cannot be created and the ReplicaFailure condition gave no reason. */
    FAILED_CREATE("FailedCreate"),

    /** Normal event: the objects of a new model were created. */
    CREATED("Created"),
    /** Normal event: a version's configuration changed, so its pods roll. */
    CONFIG_CHANGED("ConfigChanged"),
    /** Normal event: an object no longer desired (removed version, ingresses turned off) was deleted. */
    DELETED("Deleted"),

    /**
     * An autoscaled version's {@code status.versions[].autoscaling}: its HorizontalPodAutoscaler has not reported yet.
     * Besides these two, the autoscaler's own reasons are passed on (ValidMetricFound, TooManyReplicas,
     * FailedUpdateScale, ...).
     */
    AUTOSCALER_PENDING("AutoscalerPending"),
    /**
     * An autoscaled version's autoscaler cannot read its metric (metrics-server for CPU, the metrics adapter for
     * explanations in flight), so it does not scale; also its Warning event.
     */
    METRICS_UNAVAILABLE("MetricsUnavailable"),

    /** Warning event: a monitored version's attribution skew (against its baseline) crossed its threshold. */
    ATTRIBUTION_SKEW("AttributionSkew"),
    /** Warning event: a monitored version's attribution drift (window to window) crossed its threshold. */
    ATTRIBUTION_DRIFT("AttributionDrift"),
    /** Warning event: a monitored version's baseline could not be read, so it has no skew. */
    BASELINE_NOT_READ("BaselineNotRead");

    private final String value;

    Reason(String value) {
        this.value = value;
    }

    /** The reason as conditions and Events carry it. */
    public String value() {
        return value;
    }
}
