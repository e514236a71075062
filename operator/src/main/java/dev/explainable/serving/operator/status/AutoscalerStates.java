package dev.explainable.serving.operator.status;

import java.util.List;
import java.util.Objects;
import java.util.Set;

import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerCondition;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerStatus;

import dev.explainable.serving.operator.api.AutoscalingSpec;
import dev.explainable.serving.operator.api.AutoscalingStatus;

/**
 * An autoscaled version's autoscaler as it reports itself: its counts, and from its conditions whether it can scale
 * ({@link AutoscalingState}). A condition that stops it (AbleToScale or ScalingActive False) comes first, with the
 * autoscaler's own reason, except that metrics it cannot read are {@link Reason#METRICS_UNAVAILABLE} with what
 * provides them.
 */
final class AutoscalerStates {

    /** The HorizontalPodAutoscaler's conditions whose failure reasons are metrics it could not read. */
    static final Set<String> METRIC_FAILURES = Set.of(
            "FailedGetResourceMetric",
            "FailedGetContainerResourceMetric",
            "FailedGetPodsMetric",
            "FailedGetObjectMetric",
            "FailedGetExternalMetric");

    private AutoscalerStates() {}

    /** @param hpa the version's HorizontalPodAutoscaler as cached, or null (not created yet) */
    static AutoscalingStatus of(AutoscalingSpec spec, HorizontalPodAutoscaler hpa) {
        AutoscalingStatus as = new AutoscalingStatus();
        as.setMinReplicas(spec.min());
        as.setMaxReplicas(spec.max());
        HorizontalPodAutoscalerStatus hs = hpa == null ? null : hpa.getStatus();
        List<HorizontalPodAutoscalerCondition> conditions =
                hs == null ? List.of() : Objects.requireNonNullElse(hs.getConditions(), List.of());
        if (hs != null) {
            as.setCurrentReplicas(hs.getCurrentReplicas());
            as.setDesiredReplicas(hs.getDesiredReplicas());
            as.setLastScaleTime(hs.getLastScaleTime());
        }
        HorizontalPodAutoscalerCondition able = condition(conditions, "AbleToScale");
        HorizontalPodAutoscalerCondition active = condition(conditions, "ScalingActive");
        HorizontalPodAutoscalerCondition limited = condition(conditions, "ScalingLimited");
        if (able != null && "False".equals(able.getStatus())) {
            return state(as, AutoscalingState.INACTIVE, able.getReason(), able.getMessage());
        }
        if (active != null && "False".equals(active.getStatus())) {
            if (METRIC_FAILURES.contains(active.getReason())) {
                return state(
                        as,
                        AutoscalingState.INACTIVE,
                        Reason.METRICS_UNAVAILABLE.value(),
                        active.getMessage() + " (" + metricsHint(spec, active) + ")");
            }
            return state(as, AutoscalingState.INACTIVE, active.getReason(), active.getMessage());
        }
        if (active == null) {
            return state(
                    as,
                    AutoscalingState.PENDING,
                    Reason.AUTOSCALER_PENDING.value(),
                    hpa == null
                            ? "the HorizontalPodAutoscaler is being created"
                            : "the HorizontalPodAutoscaler has not reported yet");
        }
        if (limited != null && "True".equals(limited.getStatus())) {
            return state(as, AutoscalingState.LIMITED, limited.getReason(), limited.getMessage());
        }
        return state(as, AutoscalingState.ACTIVE, active.getReason(), active.getMessage());
    }

    /** What provides the metric the autoscaler could not read. */
    private static String metricsHint(AutoscalingSpec spec, HorizontalPodAutoscalerCondition failed) {
        String message = failed.getMessage() == null ? "" : failed.getMessage();
        if (message.contains("missing request for cpu")) {
            return "the runtime container needs a CPU request: resources.cpu, or the operator's default-cpu";
        }
        if (spec.getTargetCPUUtilizationPercentage() != null) {
            return "CPU targets need the resource metrics API, metrics.k8s.io: install metrics-server";
        }
        return "targetInFlightPerPod needs the custom metrics API, custom.metrics.k8s.io, serving the runtime's"
                + " explanations in flight: scrape the runtime pods and add the Prometheus Adapter rule of"
                + " docs/operations.md#autoscaling";
    }

    private static HorizontalPodAutoscalerCondition condition(
            List<HorizontalPodAutoscalerCondition> conditions, String type) {
        return conditions.stream()
                .filter(c -> type.equals(c.getType()))
                .findFirst()
                .orElse(null);
    }

    private static AutoscalingStatus state(
            AutoscalingStatus as, AutoscalingState state, String reason, String message) {
        as.setState(state.value());
        as.setReason(reason);
        as.setMessage(message == null ? "" : message);
        return as;
    }
}
