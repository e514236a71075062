package dev.explainable.serving.operator.management.ml;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * AI Platform's (ml v1) management resources as gcloud sends and reads them: Model, Version, Operation and their
 * lists (generated messages {@code ml_v1_messages.py}; the fields clients need, ../shared/spec/management-batch-facts.md
 * §2). Only what this API keeps or computes is written.
 */
public final class MlWire {

    private MlWire() {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record Model(
            String name,
            String description,
            Version defaultVersion,
            List<String> regions,
            Boolean onlinePredictionLogging,
            Boolean onlinePredictionConsoleLogging,
            Map<String, String> labels,
            String etag) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Version(
            String name,
            String description,
            Boolean isDefault,
            String deploymentUri,
            String createTime,
            String runtimeVersion,
            String pythonVersion,
            String framework,
            String machineType,
            String state,
            String errorMessage,
            ExplanationConfig explanationConfig,
            AutoScaling autoScaling,
            ManualScaling manualScaling,
            AcceleratorConfig acceleratorConfig,
            Map<String, String> labels,
            String etag) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ExplanationConfig(
            StepCount integratedGradientsAttribution, StepCount xraiAttribution, PathCount sampledShapleyAttribution) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record StepCount(Integer numIntegralSteps) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PathCount(Integer numPaths) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record AutoScaling(Integer minNodes, Integer maxNodes) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ManualScaling(Integer nodes) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record AcceleratorConfig(Integer count, String type) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ListModels(List<Model> models, String nextPageToken) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ListVersions(List<Version> versions, String nextPageToken) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ListOperations(List<Operation> operations, String nextPageToken) {}

    /** A long-running operation: {@code metadata} and {@code response} carry {@code @type}s (clients parse them). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Operation(String name, OperationMetadata metadata, Boolean done, Status error, JsonNode response) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record OperationMetadata(
            @JsonProperty("@type") String type,
            String createTime,
            String operationType,
            String modelName,
            Version version,
            Boolean isCancellationRequested) {
        static final String TYPE = "type.googleapis.com/google.cloud.ml.v1.OperationMetadata";
    }

    /** google.rpc.Status. */
    public record Status(int code, String message) {}
}
