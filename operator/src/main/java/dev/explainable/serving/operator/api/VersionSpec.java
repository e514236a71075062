package dev.explainable.serving.operator.api;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.databind.JsonNode;

import io.fabric8.crd.generator.annotation.PreserveUnknownFields;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Toleration;

@ValidationRule(
        value = "!has(self.explanationSpec) || !has(self.explanation)",
        message = "give explanation (AI Platform's) or explanationSpec (Vertex's), not both",
        reason = "FieldValueInvalid")
public class VersionSpec {

    @Required
    @Size(min = 1, max = 40)
    @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
    @JsonPropertyDescription("Version name, a DNS label (also part of the Service name <model>-<version>).")
    private String name;

    @Required
    @Size(max = 2048)
    @Pattern("^(pvc://[a-z0-9]([-a-z0-9]*[a-z0-9])?(/.*)?|(gs|s3)://[a-z0-9][a-z0-9._-]{1,221}[a-z0-9](/.*)?"
            + "|https?://.+|file:///.*)$")
    @JsonPropertyDescription("Where the SavedModel folder is (the folder AI Platform's deploymentUri named: "
            + "saved_model.pb, variables/, explanation_metadata.json): gs://<bucket>/<path>, s3://<bucket>/<path> "
            + "(see spec.storage), pvc://<claim>/<path>, http(s)://.../model.tar.gz or file:///<host path> (only under "
            + "host paths the operator's policy allows; none by default).")
    private String modelUri;

    @JsonPropertyDescription("Attribution method and its parameters.")
    private ExplanationSpec explanation = new ExplanationSpec();

    /**
     * Whether explanation was set rather than defaulted: a version read with Vertex's explanationSpec drops the
     * default, so that writing it back does not send both (which the API server refuses).
     */
    @JsonIgnore
    private boolean explanationGiven;

    @PreserveUnknownFields
    @JsonPropertyDescription("explanation_metadata.json inline; overrides the file in the model folder.")
    private JsonNode metadata;

    @JsonPropertyDescription(
            "Vertex AI's ExplanationSpec (parameters, metadata), instead of explanation and " + "metadata.")
    private VertexExplanationSpec explanationSpec;

    @JsonPropertyDescription("Compute resources; gpus > 0 schedules on nvidia.com/gpu nodes.")
    private ResourcesSpec resources = new ResourcesSpec();

    @Min(0)
    @Max(100)
    @JsonPropertyDescription("Pods of this version (default 1); with autoscaling, the count the version returns to "
            + "when autoscaling is removed.")
    private Integer replicas = 1;

    @JsonPropertyDescription(
            "A HorizontalPodAutoscaler for this version's Deployment: it, not replicas, then sets " + "the pod count.")
    private AutoscalingSpec autoscaling;

    @JsonPropertyDescription("Attribution monitoring: skew against a training baseline and drift between windows of"
            + " served explanations, as gauges, warnings and GET /runtime/model/attributions.")
    private MonitoringSpec monitoring;

    private Map<String, String> nodeSelector;

    private List<Toleration> tolerations;

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String getModelUri() {
        return modelUri;
    }

    public void setModelUri(String modelUri) {
        this.modelUri = modelUri;
    }

    public ExplanationSpec getExplanation() {
        return explanation;
    }

    public void setExplanation(ExplanationSpec explanation) {
        this.explanation = explanation;
        this.explanationGiven = true;
    }

    public JsonNode getMetadata() {
        return metadata;
    }

    public void setMetadata(JsonNode metadata) {
        this.metadata = metadata;
    }

    public VertexExplanationSpec getExplanationSpec() {
        return explanationSpec;
    }

    public void setExplanationSpec(VertexExplanationSpec explanationSpec) {
        this.explanationSpec = explanationSpec;
        if (explanationSpec != null && !explanationGiven) {
            this.explanation = null;
        }
    }

    public ResourcesSpec getResources() {
        return resources;
    }

    public void setResources(ResourcesSpec resources) {
        this.resources = resources;
    }

    public Integer getReplicas() {
        return replicas;
    }

    public void setReplicas(Integer replicas) {
        this.replicas = replicas;
    }

    public AutoscalingSpec getAutoscaling() {
        return autoscaling;
    }

    public void setAutoscaling(AutoscalingSpec autoscaling) {
        this.autoscaling = autoscaling;
    }

    public MonitoringSpec getMonitoring() {
        return monitoring;
    }

    public void setMonitoring(MonitoringSpec monitoring) {
        this.monitoring = monitoring;
    }

    public Map<String, String> getNodeSelector() {
        return nodeSelector;
    }

    public void setNodeSelector(Map<String, String> nodeSelector) {
        this.nodeSelector = nodeSelector;
    }

    public List<Toleration> getTolerations() {
        return tolerations;
    }

    public void setTolerations(List<Toleration> tolerations) {
        this.tolerations = tolerations;
    }
}
