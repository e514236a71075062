package dev.explainable.serving.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBehavior;

/**
 * A version's HorizontalPodAutoscaler: bounds, one target (the runtime container's CPU utilization, or explanations
 * in flight per pod through a custom metric), and optionally how fast it may scale. The CRD refuses the rest.
 */
@ValidationRule(
        value = "(has(self.minReplicas) ? self.minReplicas : 1) <= self.maxReplicas",
        message = "maxReplicas must be at least minReplicas",
        reason = "FieldValueInvalid")
@ValidationRule(
        value = "has(self.targetCPUUtilizationPercentage) != has(self.targetInFlightPerPod)",
        message = "give exactly one target: targetCPUUtilizationPercentage or targetInFlightPerPod",
        reason = "FieldValueInvalid")
@ValidationRule(
        value = "!has(self.behavior) || !(has(self.scaleUpStabilizationSeconds)"
                + " || has(self.scaleDownStabilizationSeconds))",
        message = "give behavior (autoscaling/v2's) or scaleUpStabilizationSeconds/scaleDownStabilizationSeconds,"
                + " not both",
        reason = "FieldValueInvalid")
public class AutoscalingSpec {

    /** The longest stabilization window autoscaling/v2 accepts. */
    public static final int MAX_WINDOW_SECONDS = 3600;

    public static final int DEFAULT_MIN_REPLICAS = 1;

    @Min(1)
    @Max(100)
    @JsonPropertyDescription("Fewest pods (default 1).")
    private Integer minReplicas;

    @Required
    @Min(1)
    @Max(100)
    @JsonPropertyDescription("Most pods; at least minReplicas.")
    private Integer maxReplicas;

    @Min(1)
    @Max(1000)
    @JsonPropertyDescription("Target: the runtime container's average CPU use, in percent of its CPU request "
            + "(resources.cpu). Needs the metrics.k8s.io API (metrics-server).")
    private Integer targetCPUUtilizationPercentage;

    @Pattern(ResourcesSpec.QUANTITY)
    @Size(max = 32)
    @JsonPropertyDescription("Target: explanations in flight (computing or queued) per pod, on average: a positive "
            + "Kubernetes quantity as a string (\"2\", \"1.5\", \"1500m\"). Needs the custom metric that the "
            + "operator's autoscaling.in-flight-metric names (docs/operations.md: the Prometheus Adapter rule).")
    private String targetInFlightPerPod;

    @Min(0)
    @Max(MAX_WINDOW_SECONDS)
    @JsonPropertyDescription("Scale-up stabilization window in seconds (autoscaling/v2's default: 0).")
    private Integer scaleUpStabilizationSeconds;

    @Min(0)
    @Max(MAX_WINDOW_SECONDS)
    @JsonPropertyDescription("Scale-down stabilization window in seconds (autoscaling/v2's default: 300).")
    private Integer scaleDownStabilizationSeconds;

    @JsonPropertyDescription("autoscaling/v2's HorizontalPodAutoscalerBehavior, passed on as given; instead of the "
            + "two stabilization windows.")
    private HorizontalPodAutoscalerBehavior behavior;

    public Integer getMinReplicas() {
        return minReplicas;
    }

    public void setMinReplicas(Integer minReplicas) {
        this.minReplicas = minReplicas;
    }

    public Integer getMaxReplicas() {
        return maxReplicas;
    }

    public void setMaxReplicas(Integer maxReplicas) {
        this.maxReplicas = maxReplicas;
    }

    public Integer getTargetCPUUtilizationPercentage() {
        return targetCPUUtilizationPercentage;
    }

    public void setTargetCPUUtilizationPercentage(Integer targetCPUUtilizationPercentage) {
        this.targetCPUUtilizationPercentage = targetCPUUtilizationPercentage;
    }

    public String getTargetInFlightPerPod() {
        return targetInFlightPerPod;
    }

    public void setTargetInFlightPerPod(String targetInFlightPerPod) {
        this.targetInFlightPerPod = targetInFlightPerPod;
    }

    public Integer getScaleUpStabilizationSeconds() {
        return scaleUpStabilizationSeconds;
    }

    public void setScaleUpStabilizationSeconds(Integer scaleUpStabilizationSeconds) {
        this.scaleUpStabilizationSeconds = scaleUpStabilizationSeconds;
    }

    public Integer getScaleDownStabilizationSeconds() {
        return scaleDownStabilizationSeconds;
    }

    public void setScaleDownStabilizationSeconds(Integer scaleDownStabilizationSeconds) {
        this.scaleDownStabilizationSeconds = scaleDownStabilizationSeconds;
    }

    public HorizontalPodAutoscalerBehavior getBehavior() {
        return behavior;
    }

    public void setBehavior(HorizontalPodAutoscalerBehavior behavior) {
        this.behavior = behavior;
    }

    /** {@link #getMinReplicas()}, or its default. */
    public int min() {
        return minReplicas == null ? DEFAULT_MIN_REPLICAS : minReplicas;
    }

    /** {@link #getMaxReplicas()}; never below {@link #min()} (the CRD refuses that, a hand-made object may not). */
    public int max() {
        return maxReplicas == null ? min() : Math.max(maxReplicas, min());
    }
}
