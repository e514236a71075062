package dev.explainable.serving.operator.api;

/** One version's state; the model's conditions summarize these. */
public class VersionStatus {

    private String name;
    /** Desired replicas: the spec's, or for an autoscaled version the count its autoscaler last set. */
    private Integer replicas;

    private Integer readyReplicas;
    /** Replicas running the current pod template. */
    private Integer updatedReplicas;
    /**
     * Available (every replica runs the current configuration and is ready), Progressing (rolling out, starting) or
     * Degraded (fails now; the reason says why, e.g. ModelLoadFailed, ModelFetchFailed, Unschedulable, FailedCreate).
     */
    private String state;

    private String reason;
    private String message;
    private String explainUrl;
    private String predictUrl;
    private String configHash;
    /** Only for autoscaled versions. */
    private AutoscalingStatus autoscaling;
    /** Only for versions with attribution monitoring ({@code spec.versions[].monitoring}). */
    private MonitoringStatus monitoring;

    public VersionStatus() {}

    public VersionStatus(String name) {
        this.name = name;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public Integer getReplicas() {
        return replicas;
    }

    public void setReplicas(Integer replicas) {
        this.replicas = replicas;
    }

    public Integer getReadyReplicas() {
        return readyReplicas;
    }

    public void setReadyReplicas(Integer readyReplicas) {
        this.readyReplicas = readyReplicas;
    }

    public Integer getUpdatedReplicas() {
        return updatedReplicas;
    }

    public void setUpdatedReplicas(Integer updatedReplicas) {
        this.updatedReplicas = updatedReplicas;
    }

    public String getState() {
        return state;
    }

    public void setState(String state) {
        this.state = state;
    }

    public String getReason() {
        return reason;
    }

    public void setReason(String reason) {
        this.reason = reason;
    }

    public String getMessage() {
        return message;
    }

    public void setMessage(String message) {
        this.message = message;
    }

    public String getExplainUrl() {
        return explainUrl;
    }

    public void setExplainUrl(String explainUrl) {
        this.explainUrl = explainUrl;
    }

    public String getPredictUrl() {
        return predictUrl;
    }

    public void setPredictUrl(String predictUrl) {
        this.predictUrl = predictUrl;
    }

    public String getConfigHash() {
        return configHash;
    }

    public void setConfigHash(String configHash) {
        this.configHash = configHash;
    }

    public AutoscalingStatus getAutoscaling() {
        return autoscaling;
    }

    public void setAutoscaling(AutoscalingStatus autoscaling) {
        this.autoscaling = autoscaling;
    }

    public MonitoringStatus getMonitoring() {
        return monitoring;
    }

    public void setMonitoring(MonitoringStatus monitoring) {
        this.monitoring = monitoring;
    }
}
