package dev.explainable.serving.operator.management.vertex;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * Vertex AI's (aiplatform v1) management resources as gcloud and the Python SDK read them: Model, Endpoint,
 * DeployedModel, BatchPredictionJob, Operation and their lists (generated messages of gcloud's aiplatform v1 client;
 * the fields clients crash without, ../shared/spec/management-batch-facts.md §0.5 and §3). Only what this API keeps
 * or computes is written; int64 counts are JSON strings, as Google writes them.
 */
public final class VertexWire {

    static final String TYPE_PREFIX = "type.googleapis.com/google.cloud.aiplatform.";

    private VertexWire() {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Model(
            String name,
            String displayName,
            String description,
            String artifactUri,
            ContainerSpec containerSpec,
            JsonNode explanationSpec,
            Map<String, String> labels,
            String createTime,
            String updateTime,
            String versionId,
            List<String> versionAliases,
            String versionCreateTime,
            String versionUpdateTime,
            List<String> supportedDeploymentResourcesTypes,
            List<String> supportedInputStorageFormats,
            List<String> supportedOutputStorageFormats,
            List<DeployedModelRef> deployedModels,
            String etag) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ContainerSpec(String imageUri) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record DeployedModelRef(String endpoint, String deployedModelId) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ListModels(List<Model> models, String nextPageToken) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Endpoint(
            String name,
            String displayName,
            String description,
            List<DeployedModel> deployedModels,
            Map<String, Integer> trafficSplit,
            Map<String, String> labels,
            String createTime,
            String updateTime,
            String etag) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record DeployedModel(
            String id,
            String model,
            String modelVersionId,
            String displayName,
            String createTime,
            DedicatedResources dedicatedResources,
            JsonNode explanationSpec) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record DedicatedResources(MachineSpec machineSpec, Integer minReplicaCount, Integer maxReplicaCount) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record MachineSpec(String machineType, String acceleratorType, Integer acceleratorCount) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ListEndpoints(List<Endpoint> endpoints, String nextPageToken) {}

    /** A long-running operation: {@code metadata} and {@code response} carry {@code @type}s (the SDK parses them). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Operation(String name, JsonNode metadata, Boolean done, Status error, JsonNode response) {}

    /** google.rpc.Status. */
    public record Status(int code, String message) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record BatchPredictionJob(
            String name,
            String displayName,
            String model,
            JsonNode inputConfig,
            JsonNode instanceConfig,
            JsonNode outputConfig,
            JsonNode dedicatedResources,
            JsonNode manualBatchTuningParameters,
            Boolean generateExplanation,
            JsonNode explanationSpec,
            OutputInfo outputInfo,
            String state,
            Status error,
            List<Status> partialFailures,
            CompletionStats completionStats,
            String createTime,
            String startTime,
            String endTime,
            String updateTime,
            Map<String, String> labels) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record OutputInfo(String gcsOutputDirectory) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record CompletionStats(String successfulCount, String failedCount, String incompleteCount) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ListBatchPredictionJobs(List<BatchPredictionJob> batchPredictionJobs, String nextPageToken) {}
}
