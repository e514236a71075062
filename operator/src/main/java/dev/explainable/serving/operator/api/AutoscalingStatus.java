package dev.explainable.serving.operator.api;

/** An autoscaled version's HorizontalPodAutoscaler, as it reports itself. */
public class AutoscalingStatus {

    private Integer minReplicas;
    private Integer maxReplicas;
    /** Pods the autoscaler last saw (its status.currentReplicas). */
    private Integer currentReplicas;
    /** Pods the autoscaler last asked for (its status.desiredReplicas). */
    private Integer desiredReplicas;

    private String lastScaleTime;
    /**
     * Active (it scales on its metric), Limited (it would go past minReplicas or maxReplicas, or a behavior policy
     * holds it back), Inactive (it cannot scale now: no metrics, the scale subresource failing, ...; the reason says
     * why) or Pending (it has not reported yet).
     */
    private String state;

    private String reason;
    private String message;

    public Integer getMinReplicas() {
        return minReplicas;
    }

    public void setMinReplicas(Integer minReplicas) {
        this.minReplicas = minReplicas;
    }

    public Integer getMaxReplicas() {
        return maxReplicas;
    }

    public void setMaxReplicas(Integer maxReplicas) {
        this.maxReplicas = maxReplicas;
    }

    public Integer getCurrentReplicas() {
        return currentReplicas;
    }

    public void setCurrentReplicas(Integer currentReplicas) {
        this.currentReplicas = currentReplicas;
    }

    public Integer getDesiredReplicas() {
        return desiredReplicas;
    }

    public void setDesiredReplicas(Integer desiredReplicas) {
        this.desiredReplicas = desiredReplicas;
    }

    public String getLastScaleTime() {
        return lastScaleTime;
    }

    public void setLastScaleTime(String lastScaleTime) {
        this.lastScaleTime = lastScaleTime;
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
}
