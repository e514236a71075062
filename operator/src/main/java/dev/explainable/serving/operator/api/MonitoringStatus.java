package dev.explainable.serving.operator.api;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What attribution monitoring found on a version ({@code spec.versions[].monitoring}), as the operator last read it
 * from the version's ready pods: the newest full window, whether the training baseline could be read (skew needs it),
 * and the features whose skew or drift crossed a threshold, newest first.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MonitoringStatus {

    /** The newest full window over the version's pods (windows count from 1; 0: none full yet). */
    private Long window;
    /** {@code Read}, {@code NotRead} (the message says why) or {@code None} (no baselineUri: drift only). */
    private String baseline;
    /** Why the baseline could not be read, or which pods did not answer; empty when all is well. */
    private String message;

    private List<AttributionCrossing> crossed = new ArrayList<>();

    public Long getWindow() {
        return window;
    }

    public void setWindow(Long window) {
        this.window = window;
    }

    public String getBaseline() {
        return baseline;
    }

    public void setBaseline(String baseline) {
        this.baseline = baseline;
    }

    public String getMessage() {
        return message;
    }

    public void setMessage(String message) {
        this.message = message;
    }

    public List<AttributionCrossing> getCrossed() {
        return crossed;
    }

    public void setCrossed(List<AttributionCrossing> crossed) {
        this.crossed = crossed;
    }
}
