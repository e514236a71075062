package dev.explainable.serving.runtime.explain;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The explanation of one instance. */
public record Explanation(@JsonProperty("attributions_by_label") List<AttributionByLabel> attributionsByLabel) {
}
