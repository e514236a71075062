package dev.explainable.serving.operator.api;

public class VersionStatus {

    private String name;
    private Integer replicas;
    private Integer readyReplicas;
    /** Available, Progressing or Degraded. */
    private String state;
    private String reason;
    private String message;
    private String explainUrl;
    private String predictUrl;
    private String configHash;

    public VersionStatus() {
    }

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
}
