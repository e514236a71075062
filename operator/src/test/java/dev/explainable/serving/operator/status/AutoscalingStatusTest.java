package dev.explainable.serving.operator.status;

import static dev.explainable.serving.operator.status.StatusFixtures.HASH;
import static dev.explainable.serving.operator.status.StatusFixtures.compute;
import static dev.explainable.serving.operator.status.StatusFixtures.condition;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerCondition;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerConditionBuilder;

import dev.explainable.serving.operator.Models;
import dev.explainable.serving.operator.api.AutoscalingSpec;
import dev.explainable.serving.operator.api.AutoscalingStatus;
import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.ExplainableModelStatus;
import dev.explainable.serving.operator.api.VersionStatus;
import dev.explainable.serving.operator.dependent.AppliedHash;

/**
 * Autoscaled versions in the status: the counts come from the autoscaler and the Deployment, a scale-up is no
 * rollout, and an autoscaler that cannot scale says why, in words a user can act on.
 */
class AutoscalingStatusTest {

    static AutoscalingSpec cpu(int min, int max) {
        AutoscalingSpec a = new AutoscalingSpec();
        a.setMinReplicas(min);
        a.setMaxReplicas(max);
        a.setTargetCPUUtilizationPercentage(70);
        return a;
    }

    static ExplainableModel model(AutoscalingSpec a) {
        ExplainableModel m = Models.model("flowers", "v1", Models.version("v1", 0));
        m.getSpec().getVersions().get(0).setAutoscaling(a);
        return m;
    }

    /** The version's Deployment at the autoscaler's count, as the deployment controller reports it. */
    static Deployment deployment(int desired, int replicas, int updated, int ready) {
        return new DeploymentBuilder()
                .withNewMetadata()
                .withGeneration(3L)
                .addToAnnotations(AppliedHash.ANNOTATION, HASH)
                .endMetadata()
                .withNewSpec()
                .withReplicas(desired)
                .endSpec()
                .withNewStatus()
                .withObservedGeneration(3L)
                .withReplicas(replicas)
                .withUpdatedReplicas(updated)
                .withReadyReplicas(ready)
                .withAvailableReplicas(ready)
                .endStatus()
                .build();
    }

    static HorizontalPodAutoscalerCondition hpaCondition(String type, String status, String reason, String message) {
        return new HorizontalPodAutoscalerConditionBuilder()
                .withType(type)
                .withStatus(status)
                .withReason(reason)
                .withMessage(message)
                .withLastTransitionTime("2026-01-01T00:00:00Z")
                .build();
    }

    static HorizontalPodAutoscaler hpa(int current, int desired, HorizontalPodAutoscalerCondition... conditions) {
        return new HorizontalPodAutoscalerBuilder()
                .withNewMetadata()
                .withName("flowers-v1")
                .endMetadata()
                .withNewStatus()
                .withCurrentReplicas(current)
                .withDesiredReplicas(desired)
                .withLastScaleTime("2026-01-01T00:01:00Z")
                .withConditions(conditions)
                .endStatus()
                .build();
    }

    static HorizontalPodAutoscalerCondition ableToScale() {
        return hpaCondition("AbleToScale", "True", "ReadyForNewScale", "recommended size matches current size");
    }

    static ExplainableModelStatus status(ExplainableModel m, Deployment d, HorizontalPodAutoscaler h) {
        return compute(
                m, d == null ? Map.of() : Map.of("v1", d), Map.of(), h == null ? Map.of() : Map.of("v1", h), "t");
    }

    @Test
    void desiredReplicasAreTheAutoscalersAndAScaleUpIsNoRollout() {
        ExplainableModel m = model(cpu(2, 6));
        // the autoscaler raised 2 to 4: two new pods start, two serve; the version still serves as asked
        HorizontalPodAutoscaler h = hpa(
                2,
                4,
                ableToScale(),
                hpaCondition(
                        "ScalingActive",
                        "True",
                        "ValidMetricFound",
                        "the HPA was able to successfully calculate a replica count from cpu container resource"
                                + " utilization (percentage of request)"),
                hpaCondition(
                        "ScalingLimited",
                        "False",
                        "DesiredWithinRange",
                        "the desired count is within the" + " acceptable range"));
        ExplainableModelStatus s = status(m, deployment(4, 4, 4, 2), h);
        VersionStatus v = s.getVersions().get(0);
        assertThat(v.getReplicas()).isEqualTo(4);
        assertThat(v.getReadyReplicas()).isEqualTo(2);
        assertThat(v.getState()).isEqualTo("Available");
        assertThat(v.getMessage()).isEqualTo("2/4 replicas ready");
        assertThat(condition(s, "Ready").getStatus()).isEqualTo("True");
        AutoscalingStatus as = v.getAutoscaling();
        assertThat(as.getMinReplicas()).isEqualTo(2);
        assertThat(as.getMaxReplicas()).isEqualTo(6);
        assertThat(as.getCurrentReplicas()).isEqualTo(2);
        assertThat(as.getDesiredReplicas()).isEqualTo(4);
        assertThat(as.getLastScaleTime()).isEqualTo("2026-01-01T00:01:00Z");
        assertThat(as.getState()).isEqualTo("Active");
        assertThat(as.getReason()).isEqualTo("ValidMetricFound");

        // below minReplicas ready, it is still starting
        VersionStatus starting =
                status(m, deployment(2, 2, 2, 1), h).getVersions().get(0);
        assertThat(starting.getState()).isEqualTo("Progressing");
        assertThat(starting.getReason()).isEqualTo("Starting");
        assertThat(starting.getMessage()).isEqualTo("1 of 2 updated replicas ready");
        // a roll of the configuration is one, autoscaled or not
        VersionStatus rolling =
                status(m, deployment(4, 5, 2, 4), h).getVersions().get(0);
        assertThat(rolling.getState()).isEqualTo("Progressing");
        assertThat(rolling.getReason()).isEqualTo("RollingOut");
    }

    @Test
    void withoutItsDeploymentOrAutoscalerYetTheVersionWantsMinReplicas() {
        ExplainableModel m = model(cpu(3, 6));
        VersionStatus v = status(m, null, null).getVersions().get(0);
        assertThat(v.getReplicas()).isEqualTo(3);
        assertThat(v.getReason()).isEqualTo("Creating");
        assertThat(v.getAutoscaling().getState()).isEqualTo("Pending");
        assertThat(v.getAutoscaling().getReason()).isEqualTo("AutoscalerPending");
        assertThat(v.getAutoscaling().getMessage()).contains("being created");
        // created, but not synced by the HPA controller yet (or only its first scale to minReplicas)
        v = status(m, deployment(1, 1, 1, 1), hpa(1, 3, ableToScale()))
                .getVersions()
                .get(0);
        assertThat(v.getAutoscaling().getState()).isEqualTo("Pending");
        assertThat(v.getAutoscaling().getMessage()).contains("has not reported yet");
        assertThat(v.getState()).as("1 of minReplicas 3 ready").isEqualTo("Progressing");
    }

    @Test
    void metricsItCannotReadNameWhatProvidesThem() {
        HorizontalPodAutoscalerCondition noCpu = hpaCondition(
                "ScalingActive",
                "False",
                "FailedGetContainerResourceMetric",
                "the HPA was unable to compute the replica count: failed to get cpu utilization: unable to get"
                        + " metrics for resource cpu: unable to fetch metrics from resource metrics API: the server"
                        + " could not find the requested resource (get pods.metrics.k8s.io)");
        AutoscalingStatus as = status(model(cpu(1, 4)), deployment(1, 1, 1, 1), hpa(1, 1, ableToScale(), noCpu))
                .getVersions()
                .get(0)
                .getAutoscaling();
        assertThat(as.getState()).isEqualTo("Inactive");
        assertThat(as.getReason()).isEqualTo("MetricsUnavailable");
        assertThat(as.getMessage())
                .startsWith("the HPA was unable to compute the replica count")
                .contains("metrics.k8s.io: install metrics-server");

        AutoscalingSpec inFlight = cpu(1, 4);
        inFlight.setTargetCPUUtilizationPercentage(null);
        inFlight.setTargetInFlightPerPod("2");
        HorizontalPodAutoscalerCondition noCustom = hpaCondition(
                "ScalingActive",
                "False",
                "FailedGetPodsMetric",
                "the HPA was unable to compute the replica count: unable to get metric"
                        + " explainable_explanations_in_flight: unable to fetch metrics from custom metrics API: no"
                        + " custom metrics API (custom.metrics.k8s.io) registered");
        as = status(model(inFlight), deployment(1, 1, 1, 1), hpa(1, 1, ableToScale(), noCustom))
                .getVersions()
                .get(0)
                .getAutoscaling();
        assertThat(as.getReason()).isEqualTo("MetricsUnavailable");
        assertThat(as.getMessage())
                .contains("explainable_explanations_in_flight", "Prometheus Adapter", "docs/operations.md#autoscaling");

        HorizontalPodAutoscalerCondition noRequest = hpaCondition(
                "ScalingActive",
                "False",
                "FailedGetContainerResourceMetric",
                "the HPA was unable to compute the replica count: failed to get cpu utilization: missing request for"
                        + " cpu in container runtime of Pod flowers-v1-abc");
        as = status(model(cpu(1, 4)), deployment(1, 1, 1, 1), hpa(1, 1, ableToScale(), noRequest))
                .getVersions()
                .get(0)
                .getAutoscaling();
        assertThat(as.getMessage()).contains("needs a CPU request: resources.cpu");
    }

    @Test
    void anAutoscalerThatCannotScaleOrIsHeldAtItsBoundsPassesItsReasonOn() {
        ExplainableModel m = model(cpu(1, 4));
        HorizontalPodAutoscalerCondition failedUpdate = hpaCondition(
                "AbleToScale",
                "False",
                "FailedUpdateScale",
                "the HPA controller was unable to update the target scale: forbidden");
        AutoscalingStatus as = status(m, deployment(1, 1, 1, 1), hpa(1, 2, failedUpdate))
                .getVersions()
                .get(0)
                .getAutoscaling();
        assertThat(as.getState()).isEqualTo("Inactive");
        assertThat(as.getReason()).isEqualTo("FailedUpdateScale");
        assertThat(as.getMessage()).contains("unable to update the target scale");

        HorizontalPodAutoscalerCondition disabled = hpaCondition(
                "ScalingActive",
                "False",
                "ScalingDisabled",
                "scaling is disabled since the replica count of the target is zero");
        as = status(m, deployment(0, 0, 0, 0), hpa(0, 0, ableToScale(), disabled))
                .getVersions()
                .get(0)
                .getAutoscaling();
        assertThat(as.getState()).isEqualTo("Inactive");
        assertThat(as.getReason()).isEqualTo("ScalingDisabled");

        HorizontalPodAutoscalerCondition atMax = hpaCondition(
                "ScalingLimited",
                "True",
                "TooManyReplicas",
                "the desired replica count is more than the maximum replica count");
        as = status(
                        m,
                        deployment(4, 4, 4, 4),
                        hpa(
                                4,
                                4,
                                ableToScale(),
                                hpaCondition("ScalingActive", "True", "ValidMetricFound", "ok"),
                                atMax))
                .getVersions()
                .get(0)
                .getAutoscaling();
        assertThat(as.getState()).isEqualTo("Limited");
        assertThat(as.getReason()).isEqualTo("TooManyReplicas");
    }

    @Test
    void aVersionWithoutAutoscalingHasNoAutoscalingStatus() {
        ExplainableModel m = model(null);
        VersionStatus v =
                status(m, StatusFixtures.rolledOut(), null).getVersions().get(0);
        assertThat(v.getAutoscaling()).isNull();
        assertThat(v.getReplicas()).isEqualTo(1);
        assertThat(List.of(v.getState())).containsExactly("Available");
    }
}
