package dev.explainable.serving.operator.dependent;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBehavior;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBehaviorBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpecBuilder;

import dev.explainable.serving.operator.api.AutoscalingSpec;
import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.VersionSpec;
import dev.explainable.serving.operator.config.OperatorConfig;

/**
 * An autoscaled version's HorizontalPodAutoscaler (autoscaling/v2), scaling the version's Deployment, whose desired
 * state then leaves {@code replicas} to it ({@link DesiredDeployment}).
 *
 * <p>The CPU target is a {@code ContainerResource} metric on the runtime container: its utilization is measured
 * against the CPU request the operator always sets there ({@code resources.cpu}, else the operator's default), and
 * neither the model fetcher init container nor a sidecar someone injects (a service mesh's proxy, perhaps without a
 * request, which would leave a pod-level {@code Resource} metric unable to compute) counts. The in-flight target is a
 * {@code Pods} metric under the name the operator's configuration gives (the metrics adapter's).
 */
public final class DesiredHorizontalPodAutoscaler {

    /** The container whose CPU the CPU target measures. */
    public static final String RUNTIME_CONTAINER = "runtime";

    private DesiredHorizontalPodAutoscaler() {}

    public static HorizontalPodAutoscaler of(ExplainableModel m, VersionSpec v, OperatorConfig config) {
        AutoscalingSpec a = v.getAutoscaling();
        String name = DesiredState.versionName(m, v.getName());
        return new HorizontalPodAutoscalerBuilder()
                .withMetadata(DesiredState.meta(
                        m, name, Labels.forVersion(m.getMetadata().getName(), v.getName())))
                .withNewSpec()
                .withNewScaleTargetRef()
                .withApiVersion("apps/v1")
                .withKind("Deployment")
                .withName(name)
                .endScaleTargetRef()
                .withMinReplicas(a.min())
                .withMaxReplicas(a.max())
                .withMetrics(metric(a, config))
                .withBehavior(behavior(a))
                .endSpec()
                .build();
    }

    static MetricSpec metric(AutoscalingSpec a, OperatorConfig config) {
        if (a.getTargetCPUUtilizationPercentage() != null) {
            return new MetricSpecBuilder()
                    .withType("ContainerResource")
                    .withNewContainerResource()
                    .withName("cpu")
                    .withContainer(RUNTIME_CONTAINER)
                    .withNewTarget()
                    .withType("Utilization")
                    .withAverageUtilization(a.getTargetCPUUtilizationPercentage())
                    .endTarget()
                    .endContainerResource()
                    .build();
        }
        return new MetricSpecBuilder()
                .withType("Pods")
                .withNewPods()
                .withNewMetric()
                .withName(config.autoscaling().inFlightMetric())
                .endMetric()
                .withNewTarget()
                .withType("AverageValue")
                .withAverageValue(new Quantity(a.getTargetInFlightPerPod()))
                .endTarget()
                .endPods()
                .build();
    }

    /** The passed-through behavior, or one made of the stabilization windows given; null leaves autoscaling/v2's. */
    static HorizontalPodAutoscalerBehavior behavior(AutoscalingSpec a) {
        if (a.getBehavior() != null) {
            return new HorizontalPodAutoscalerBehaviorBuilder(a.getBehavior()).build();
        }
        if (a.getScaleUpStabilizationSeconds() == null && a.getScaleDownStabilizationSeconds() == null) {
            return null;
        }
        HorizontalPodAutoscalerBehaviorBuilder b = new HorizontalPodAutoscalerBehaviorBuilder();
        if (a.getScaleUpStabilizationSeconds() != null) {
            b.withNewScaleUp()
                    .withStabilizationWindowSeconds(a.getScaleUpStabilizationSeconds())
                    .endScaleUp();
        }
        if (a.getScaleDownStabilizationSeconds() != null) {
            b.withNewScaleDown()
                    .withStabilizationWindowSeconds(a.getScaleDownStabilizationSeconds())
                    .endScaleDown();
        }
        return b.build();
    }
}
