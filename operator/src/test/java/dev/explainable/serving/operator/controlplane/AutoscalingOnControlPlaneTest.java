package dev.explainable.serving.operator.controlplane;

import static dev.explainable.serving.operator.Models.cpu;
import static dev.explainable.serving.operator.Models.inFlight;
import static dev.explainable.serving.operator.controlplane.OperatorOnControlPlane.condition;
import static dev.explainable.serving.operator.controlplane.OperatorOnControlPlane.model;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.function.Consumer;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBehaviorBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;

import dev.explainable.serving.operator.TestConfig;
import dev.explainable.serving.operator.api.AutoscalingSpec;
import dev.explainable.serving.operator.api.AutoscalingStatus;
import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.VersionSpec;
import dev.explainable.serving.operator.api.VersionStatus;
import dev.explainable.serving.operator.dependent.Labels;
import dev.explainable.serving.testkit.RetryOnConflict;

/**
 * Autoscaled versions on a real control plane, whose kube-controller-manager runs the real HorizontalPodAutoscaler
 * controller (no metrics API is served, so it only holds the bounds and reports that it cannot read metrics): the
 * CRD's refusals, the autoscaler's spec, a count the autoscaler set surviving the operator's reconciles and applies,
 * a fixed version becoming autoscaled without losing pods, removing autoscaling handing replicas back to the spec,
 * and the status saying why the autoscaler does not scale.
 */
class AutoscalingOnControlPlaneTest {

    static final Duration TIMEOUT = Duration.ofSeconds(90);

    @RegisterExtension
    static final OperatorOnControlPlane cluster = OperatorOnControlPlane.shared(TestConfig.of());

    static KubernetesClient client;

    @BeforeAll
    static void client() {
        client = cluster.client();
    }

    static VersionSpec version(String name, AutoscalingSpec autoscaling) {
        VersionSpec v = OperatorOnControlPlaneTest.version(name, 0);
        v.setAutoscaling(autoscaling);
        return v;
    }

    static void edit(String ns, String name, Consumer<ExplainableModel> change) {
        RetryOnConflict.edit(
                client.resources(ExplainableModel.class).inNamespace(ns).withName(name), change);
    }

    static Deployment deployment(String ns, String name) {
        return client.apps().deployments().inNamespace(ns).withName(name).get();
    }

    static HorizontalPodAutoscaler hpa(String ns, String name) {
        return client.autoscaling()
                .v2()
                .horizontalPodAutoscalers()
                .inNamespace(ns)
                .withName(name)
                .get();
    }

    static VersionStatus versionStatus(String ns, String model) {
        ExplainableModel m = cluster.get(ns, model);
        assertThat(m.getStatus()).isNotNull();
        assertThat(m.getStatus().getObservedGeneration())
                .isEqualTo(m.getMetadata().getGeneration());
        return m.getStatus().getVersions().get(0);
    }

    /** Whether {@code manager}'s apply owns the Deployment's spec.replicas (its managedFields). */
    static boolean ownsReplicas(Deployment d, String manager) {
        for (ManagedFieldsEntry e : d.getMetadata().getManagedFields()) {
            if (manager.equals(e.getManager())
                    && e.getFieldsV1().getAdditionalProperties().get("f:spec") instanceof java.util.Map<?, ?> spec
                    && spec.containsKey("f:replicas")) {
                return true;
            }
        }
        return false;
    }

    /** Every spec.replicas the Deployment has from now on, as its watch delivers them. */
    static Watch recordReplicas(String ns, String name, Set<Integer> seen) {
        return client.apps().deployments().inNamespace(ns).withName(name).watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, Deployment d) {
                if (d.getSpec() != null && d.getSpec().getReplicas() != null) {
                    seen.add(d.getSpec().getReplicas());
                }
            }

            @Override
            public void onClose(WatcherException cause) {}
        });
    }

    static void assertRefused(String ns, AutoscalingSpec a, String message) {
        ExplainableModel m = model(ns, "m", version("v1", a));
        assertThatThrownBy(() -> client.resource(m).create())
                .as(message)
                .isInstanceOfSatisfying(
                        KubernetesClientException.class,
                        e -> assertThat(e.getCode()).isEqualTo(422))
                .hasMessageContaining(message);
    }

    static void assertAccepted(String ns, AutoscalingSpec a) {
        assertThat(client.resource(model(ns, "m", version("v1", a)))
                        .dryRun()
                        .create()
                        .getMetadata()
                        .getName())
                .isEqualTo("m");
    }

    @Test
    void theCrdRefusesReversedBoundsAndAnythingButExactlyOneTarget() {
        String ns = cluster.namespace("refusals");
        assertAccepted(ns, cpu(null, 3, 70));
        assertAccepted(ns, cpu(2, 2, 70));
        assertAccepted(ns, inFlight(1, 4, "2"));
        assertAccepted(ns, inFlight(1, 4, "1500m"));
        assertAccepted(ns, inFlight(1, 4, "1.5"));
        assertRefused(ns, cpu(3, 2, 70), "maxReplicas must be at least minReplicas");
        assertRefused(ns, cpu(0, 2, 70), "minReplicas");
        assertRefused(ns, cpu(null, 101, 70), "maxReplicas");
        assertRefused(ns, cpu(null, 3, 0), "targetCPUUtilizationPercentage");
        AutoscalingSpec none = cpu(1, 3, 70);
        none.setTargetCPUUtilizationPercentage(null);
        assertRefused(ns, none, "give exactly one target");
        AutoscalingSpec both = cpu(1, 3, 70);
        both.setTargetInFlightPerPod("2");
        assertRefused(ns, both, "give exactly one target");
        for (String bad : List.of("0", "-1", "lots", "0m", "1GB")) {
            assertRefused(ns, inFlight(1, 3, bad), "targetInFlightPerPod");
        }
        AutoscalingSpec windows = cpu(1, 3, 70);
        windows.setScaleDownStabilizationSeconds(60);
        assertAccepted(ns, windows);
        windows.setBehavior(new HorizontalPodAutoscalerBehaviorBuilder()
                .withNewScaleUp()
                .withSelectPolicy("Max")
                .endScaleUp()
                .build());
        assertRefused(ns, windows, "not both");
        windows.setScaleDownStabilizationSeconds(3601);
        windows.setBehavior(null);
        assertRefused(ns, windows, "scaleDownStabilizationSeconds");
    }

    /**
     * The autoscaler's spec; the real HPA controller raises the Deployment to minReplicas; a count the autoscaler
     * sets (here written through the scale subresource, as the HPA controller does, since no metrics are served)
     * survives the operator's reconciles, including one that applies the Deployment again; removing autoscaling
     * deletes the autoscaler and hands replicas back to the spec.
     */
    @Test
    void theAutoscalerOwnsReplicasUntilAutoscalingIsRemoved() throws Exception {
        String ns = cluster.namespace("cpu");
        AutoscalingSpec a = cpu(2, 5, 70);
        a.setScaleDownStabilizationSeconds(60);
        cluster.create(ns, "m", version("v1", a));

        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(hpa(ns, "m-v1")).isNotNull());
        HorizontalPodAutoscaler h = hpa(ns, "m-v1");
        assertThat(h.getMetadata().getLabels())
                .containsEntry(Labels.MODEL, "m")
                .containsEntry(Labels.VERSION, "v1")
                .containsEntry(Labels.MANAGED_BY, Labels.OPERATOR);
        assertThat(h.getMetadata().getOwnerReferences()).singleElement().satisfies(r -> {
            assertThat(r.getKind()).isEqualTo("ExplainableModel");
            assertThat(r.getController()).isTrue();
        });
        assertThat(h.getSpec().getScaleTargetRef().getKind()).isEqualTo("Deployment");
        assertThat(h.getSpec().getScaleTargetRef().getName()).isEqualTo("m-v1");
        assertThat(h.getSpec().getMinReplicas()).isEqualTo(2);
        assertThat(h.getSpec().getMaxReplicas()).isEqualTo(5);
        MetricSpec metric = h.getSpec().getMetrics().get(0);
        assertThat(metric.getType()).isEqualTo("ContainerResource");
        assertThat(metric.getContainerResource().getContainer()).isEqualTo("runtime");
        assertThat(metric.getContainerResource().getName()).isEqualTo("cpu");
        assertThat(metric.getContainerResource().getTarget().getAverageUtilization())
                .isEqualTo(70);
        assertThat(h.getSpec().getBehavior().getScaleDown().getStabilizationWindowSeconds())
                .isEqualTo(60);
        // the utilization is measured against the runtime container's CPU request, which the operator always sets
        assertThat(deployment(ns, "m-v1")
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getResources()
                        .getRequests())
                .containsKey("cpu");

        // the HPA controller raises the Deployment (created without replicas: 1) to minReplicas, then finds no
        // metrics: the status says so, with what to install, and a Warning event
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(deployment(ns, "m-v1").getSpec().getReplicas()).isEqualTo(2);
            VersionStatus v = versionStatus(ns, "m");
            assertThat(v.getReplicas()).isEqualTo(2);
            assertThat(v.getReadyReplicas()).isEqualTo(2);
            assertThat(v.getState()).isEqualTo("Available");
            AutoscalingStatus as = v.getAutoscaling();
            assertThat(as.getMinReplicas()).isEqualTo(2);
            assertThat(as.getMaxReplicas()).isEqualTo(5);
            assertThat(as.getState()).isEqualTo("Inactive");
            assertThat(as.getReason()).isEqualTo("MetricsUnavailable");
            assertThat(as.getMessage()).contains("metrics.k8s.io", "metrics-server");
            assertThat(as.getCurrentReplicas()).isEqualTo(2);
        });
        assertThat(condition(cluster.get(ns, "m"), "Ready").getStatus()).isEqualTo("True");
        await().atMost(TIMEOUT)
                .untilAsserted(() -> assertThat(
                                client.v1().events().inNamespace(ns).list().getItems())
                        .anyMatch(e -> "MetricsUnavailable".equals(e.getReason())
                                && "Warning".equals(e.getType())
                                && e.getMessage().contains("v1 cannot autoscale")));
        assertThat(ownsReplicas(deployment(ns, "m-v1"), "explainable-serving-operator"))
                .as("the operator never owned an autoscaled Deployment's replicas")
                .isFalse();

        // the autoscaler's decision, through the scale subresource as the HPA controller writes it
        client.apps().deployments().inNamespace(ns).withName("m-v1").scale(4);
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(versionStatus(ns, "m").getReplicas()).isEqualTo(4);
            assertThat(versionStatus(ns, "m").getReadyReplicas()).isEqualTo(4);
        });
        Set<Integer> seen = new ConcurrentSkipListSet<>();
        try (Watch w = recordReplicas(ns, "m-v1", seen)) {
            // an edit that rolls the version: the operator applies the Deployment again, without replicas
            String hash =
                    deployment(ns, "m-v1").getMetadata().getAnnotations().get("serving.explainable.dev/applied-hash");
            edit(ns, "m", m -> m.getSpec().getVersions().get(0).getExplanation().setIntegralSteps(20));
            await().atMost(TIMEOUT).untilAsserted(() -> {
                Deployment d = deployment(ns, "m-v1");
                assertThat(d.getMetadata().getAnnotations().get("serving.explainable.dev/applied-hash"))
                        .isNotEqualTo(hash);
                assertThat(d.getStatus().getObservedGeneration())
                        .isEqualTo(d.getMetadata().getGeneration());
                VersionStatus v = versionStatus(ns, "m");
                assertThat(v.getState()).isEqualTo("Available");
                assertThat(v.getReadyReplicas()).isEqualTo(4);
            });
            // an operator restart reconciles every model again
            cluster.stopOperator();
            cluster.startOperator();
            Thread.sleep(5_000);
            assertThat(deployment(ns, "m-v1").getSpec().getReplicas()).isEqualTo(4);
        }
        assertThat(seen).as("replicas the Deployment had since the scale").containsExactly(4);

        // autoscaling removed: the autoscaler goes, the spec's replicas come back and the operator owns them
        edit(ns, "m", m -> {
            m.getSpec().getVersions().get(0).setAutoscaling(null);
            m.getSpec().getVersions().get(0).setReplicas(3);
        });
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(hpa(ns, "m-v1")).isNull();
            Deployment d = deployment(ns, "m-v1");
            assertThat(d.getSpec().getReplicas()).isEqualTo(3);
            assertThat(ownsReplicas(d, "explainable-serving-operator")).isTrue();
            VersionStatus v = versionStatus(ns, "m");
            assertThat(v.getAutoscaling()).isNull();
            assertThat(v.getReplicas()).isEqualTo(3);
            assertThat(v.getReadyReplicas()).isEqualTo(3);
        });
        assertThat(client.v1().events().inNamespace(ns).list().getItems())
                .anyMatch(e ->
                        "Deleted".equals(e.getReason()) && e.getMessage().contains("HorizontalPodAutoscaler m-v1"));
        // and it stays there: nothing scales it any more (the HPA controller syncs every 15 s)
        Thread.sleep(16_000);
        assertThat(deployment(ns, "m-v1").getSpec().getReplicas()).isEqualTo(3);
    }

    /**
     * A fixed version becoming autoscaled keeps its pods: the operator hands its replicas to a second field manager
     * before applying the Deployment without them, so they are never reset to 1. The in-flight target is a Pods
     * metric under the operator's configured name, and its status names the adapter rule it needs. At one pod the
     * version keeps a budget that still lets that pod be evicted.
     */
    @Test
    void aFixedVersionBecomingAutoscaledKeepsItsPods() throws Exception {
        String ns = cluster.namespace("handover");
        VersionSpec fixed = version("v1", null);
        fixed.setReplicas(3);
        cluster.create(ns, "m", fixed);
        await().atMost(TIMEOUT)
                .untilAsserted(() ->
                        assertThat(versionStatus(ns, "m").getReadyReplicas()).isEqualTo(3));
        assertThat(ownsReplicas(deployment(ns, "m-v1"), "explainable-serving-operator"))
                .isTrue();

        Set<Integer> seen = new ConcurrentSkipListSet<>();
        try (Watch w = recordReplicas(ns, "m-v1", seen)) {
            edit(ns, "m", m -> m.getSpec().getVersions().get(0).setAutoscaling(inFlight(1, 4, "1500m")));
            await().atMost(TIMEOUT).untilAsserted(() -> {
                HorizontalPodAutoscaler h = hpa(ns, "m-v1");
                assertThat(h).isNotNull();
                MetricSpec metric = h.getSpec().getMetrics().get(0);
                assertThat(metric.getType()).isEqualTo("Pods");
                assertThat(metric.getPods().getMetric().getName()).isEqualTo("explainable_explanations_in_flight");
                assertThat(metric.getPods().getTarget().getType()).isEqualTo("AverageValue");
                assertThat(metric.getPods().getTarget().getAverageValue().toString())
                        .isEqualTo("1500m");
                assertThat(ownsReplicas(deployment(ns, "m-v1"), "explainable-serving-operator"))
                        .isFalse();
                AutoscalingStatus as = versionStatus(ns, "m").getAutoscaling();
                assertThat(as.getReason()).isEqualTo("MetricsUnavailable");
                assertThat(as.getMessage()).contains("custom.metrics.k8s.io", "Prometheus Adapter");
            });
            assertThat(seen).as("replicas while autoscaling was turned on").containsExactly(3);
            assertThat(deployment(ns, "m-v1").getSpec().getReplicas()).isEqualTo(3);
            assertThat(ownsReplicas(deployment(ns, "m-v1"), "explainable-serving-operator-handover"))
                    .isTrue();

            // the autoscaler's first scale takes the replicas over from the handover manager
            client.apps().deployments().inNamespace(ns).withName("m-v1").scale(1);
            await().atMost(TIMEOUT).untilAsserted(() -> {
                VersionStatus v = versionStatus(ns, "m");
                assertThat(v.getReplicas()).isEqualTo(1);
                assertThat(v.getReadyReplicas()).isEqualTo(1);
                assertThat(v.getState()).isEqualTo("Available");
            });
        }
        assertThat(ownsReplicas(deployment(ns, "m-v1"), "explainable-serving-operator-handover"))
                .isFalse();
        // maxReplicas 4: a budget, which at one pod allows that pod's eviction (a drain is not blocked)
        await().atMost(TIMEOUT)
                .untilAsserted(() -> assertThat(client.policy()
                                .v1()
                                .podDisruptionBudget()
                                .inNamespace(ns)
                                .withName("m-v1")
                                .get()
                                .getStatus()
                                .getDisruptionsAllowed())
                        .isEqualTo(1));
        Pod pod = client.pods().inNamespace(ns).withLabel(Labels.MODEL, "m").list().getItems().stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                .findFirst()
                .orElseThrow();
        assertThat(client.pods()
                        .inNamespace(ns)
                        .withName(pod.getMetadata().getName())
                        .evict())
                .isTrue();
    }

    /** A behavior the API server refuses for the autoscaler lands in the status as ApplyFailed. */
    @Test
    void aBehaviorTheApiServerRefusesIsReportedInTheStatus() {
        String ns = cluster.namespace("behavior");
        AutoscalingSpec a = cpu(1, 3, 80);
        a.setBehavior(new HorizontalPodAutoscalerBehaviorBuilder()
                .withNewScaleUp()
                .withSelectPolicy("Sometimes")
                .endScaleUp()
                .build());
        cluster.create(ns, "m", version("v1", a));
        await().atMost(TIMEOUT).untilAsserted(() -> {
            ExplainableModel m = cluster.get(ns, "m");
            assertThat(m.getStatus()).isNotNull();
            assertThat(condition(m, "Degraded").getReason()).isEqualTo("ApplyFailed");
            assertThat(condition(m, "Degraded").getMessage()).contains("HorizontalPodAutoscaler", "selectPolicy");
        });
        assertThat(hpa(ns, "m-v1")).isNull();
    }
}
