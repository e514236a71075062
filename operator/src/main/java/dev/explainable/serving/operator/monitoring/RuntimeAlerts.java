package dev.explainable.serving.operator.monitoring;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * What a runtime pod answers on {@code GET /q/attribution-alerts} (management port): its newest full window, its
 * baseline's state and the thresholds that window crossed.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RuntimeAlerts(
        boolean enabled,
        long window,
        String baselineUri,
        boolean baselineRead,
        String baselineProblem,
        List<Crossing> crossed) {

    public static final String PATH = "/q/attribution-alerts";

    /** A crossed threshold: the feature ("" overall), {@code skew} or {@code drift}, the score and the threshold. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Crossing(String feature, String kind, double score, double threshold) {}

    public List<Crossing> crossed() {
        return crossed == null ? List.of() : crossed;
    }
}
