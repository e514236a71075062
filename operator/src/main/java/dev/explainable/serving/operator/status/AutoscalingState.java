package dev.explainable.serving.operator.status;

import dev.explainable.serving.operator.api.AutoscalingStatus;

/** {@code status.versions[].autoscaling.state}: whether an autoscaled version's autoscaler scales it. */
public enum AutoscalingState {
    /** It scales on its metric. */
    ACTIVE("Active"),
    /** It scales, but a bound (minReplicas, maxReplicas, a rate) holds it back. */
    LIMITED("Limited"),
    /** It cannot scale: its reason says why (the autoscaler's own, or {@link Reason#METRICS_UNAVAILABLE}). */
    INACTIVE("Inactive"),
    /** It has not reported yet ({@link Reason#AUTOSCALER_PENDING}). */
    PENDING("Pending");

    private final String value;

    AutoscalingState(String value) {
        this.value = value;
    }

    /** The state as the status carries it. */
    public String value() {
        return value;
    }

    /** The autoscaling status says this state. */
    public boolean of(AutoscalingStatus a) {
        return a != null && value.equals(a.getState());
    }
}
