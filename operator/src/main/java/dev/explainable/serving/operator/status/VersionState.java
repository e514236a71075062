package dev.explainable.serving.operator.status;

import dev.explainable.serving.operator.api.VersionStatus;

/** {@code status.versions[].state}: what a version does now, as the status writes it. */
public enum VersionState {
    /** Every pod runs the version's current configuration and is ready. */
    AVAILABLE("Available"),
    /** Being created, rolled out or started; no failure seen. */
    PROGRESSING("Progressing"),
    /** Fails now: its reason says how (a {@link Reason}, or one Kubernetes gave). */
    DEGRADED("Degraded");

    private final String value;

    VersionState(String value) {
        this.value = value;
    }

    /** The state as the status carries it. */
    public String value() {
        return value;
    }

    /** The version's status says this state. */
    public boolean of(VersionStatus v) {
        return v != null && value.equals(v.getState());
    }
}
