package dev.explainable.serving.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A feature whose attribution skew or drift crossed the version's threshold ({@code status.versions[].monitoring}):
 * the score is the largest of the version's pods in the last window that crossed it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AttributionCrossing {

    /** The feature, or "" for the overall score (Jensen–Shannon distance of the shares). */
    private String feature;
    /** {@code skew} (against the training baseline) or {@code drift} (against the previous window). */
    private String kind;

    private Double score;
    private Double threshold;
    /** When the operator first saw it crossed, in this run of windows that crossed it. */
    private String since;
    /** When the operator last saw it crossed. */
    private String lastSeen;
    /** Whether the pods' last window still crosses it. */
    private Boolean current;

    public AttributionCrossing() {}

    public AttributionCrossing(String feature, String kind) {
        this.feature = feature;
        this.kind = kind;
    }

    public String getFeature() {
        return feature;
    }

    public void setFeature(String feature) {
        this.feature = feature;
    }

    public String getKind() {
        return kind;
    }

    public void setKind(String kind) {
        this.kind = kind;
    }

    public Double getScore() {
        return score;
    }

    public void setScore(Double score) {
        this.score = score;
    }

    public Double getThreshold() {
        return threshold;
    }

    public void setThreshold(Double threshold) {
        this.threshold = threshold;
    }

    public String getSince() {
        return since;
    }

    public void setSince(String since) {
        this.since = since;
    }

    public String getLastSeen() {
        return lastSeen;
    }

    public void setLastSeen(String lastSeen) {
        this.lastSeen = lastSeen;
    }

    public Boolean getCurrent() {
        return current;
    }

    public void setCurrent(Boolean current) {
        this.current = current;
    }
}
