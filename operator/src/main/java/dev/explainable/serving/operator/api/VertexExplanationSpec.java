package dev.explainable.serving.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.databind.JsonNode;

import io.fabric8.crd.generator.annotation.PreserveUnknownFields;

/**
 * Vertex AI's {@code ExplanationSpec}, as Vertex users write it: the method's parameters and the
 * {@code ExplanationMetadata} in Vertex's camelCase JSON. An alternative to {@code explanation} and {@code metadata};
 * the runtime reads both metadata formats into one model.
 */
public class VertexExplanationSpec {

    @JsonPropertyDescription("Vertex's ExplanationParameters: exactly one method with its step or path count.")
    private VertexExplanationParameters parameters;

    @PreserveUnknownFields
    @JsonPropertyDescription("Vertex's ExplanationMetadata (inputs with inputTensorName, outputs with "
            + "outputTensorName, camelCase keys); overrides the model folder's explanation_metadata.json.")
    private JsonNode metadata;

    public VertexExplanationParameters getParameters() {
        return parameters;
    }

    public void setParameters(VertexExplanationParameters parameters) {
        this.parameters = parameters;
    }

    public JsonNode getMetadata() {
        return metadata;
    }

    public void setMetadata(JsonNode metadata) {
        this.metadata = metadata;
    }
}
