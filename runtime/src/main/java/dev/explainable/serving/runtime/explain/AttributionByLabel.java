package dev.explainable.serving.runtime.explain;

import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/** One entry of {@code attributions_by_label}, shaped as AI Platform returns it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder(alphabetic = true)
public record AttributionByLabel(
        @JsonProperty("approx_error") Double approxError,
        @JsonProperty("attributions") Map<String, Object> attributions,
        @JsonProperty("baseline_score") double baselineScore,
        @JsonProperty("example_score") double exampleScore,
        @JsonProperty("label_index") int labelIndex,
        @JsonProperty("label_name") String labelName,
        @JsonProperty("output_name") String outputName) {
}
