package dev.explainable.serving.operator.status;

import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;

import dev.explainable.serving.operator.Models;
import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.ExplainableModelStatus;
import dev.explainable.serving.operator.api.VersionSpec;
import dev.explainable.serving.operator.api.VersionStatus;
import dev.explainable.serving.operator.dependent.AppliedHash;
import dev.explainable.serving.operator.dependent.VersionConfig;

/** A model of two versions, Deployments and pods as the cluster reports them, and the status computed from them. */
final class StatusFixtures {

    static final String HASH = "applied-1";
    static final Map<String, String> HASHES = Map.of("v1", HASH, "v2", HASH);

    private StatusFixtures() {}

    /** The status of {@code m}, whose desired Deployments all carry {@link #HASH}. */
    static ExplainableModelStatus compute(
            ExplainableModel m,
            Map<String, Deployment> deployments,
            Map<String, List<Pod>> pods,
            Map<String, HorizontalPodAutoscaler> autoscalers,
            String now) {
        return StatusCalculator.compute(m, VersionConfig.of(m), HASHES, deployments, pods, autoscalers, now);
    }

    /** As {@link #compute(ExplainableModel, Map, Map, Map, String)} without autoscalers. */
    static ExplainableModelStatus compute(
            ExplainableModel m, Map<String, Deployment> deployments, Map<String, List<Pod>> pods, String now) {
        return compute(m, deployments, pods, Map.of(), now);
    }

    /** The status of {@link #model()}'s version v1 with this Deployment and these pods. */
    static VersionStatus v1(Deployment d, Pod... pods) {
        ExplainableModel m = model();
        VersionSpec v1 = m.getSpec().getVersions().get(0);
        return VersionStates.of(m, v1, VersionConfig.of(m, v1), HASH, d, List.of(pods));
    }

    static ExplainableModel model() {
        return Models.model("flowers", "v1", Models.version("v1", 0), Models.version("v2", 4));
    }

    /** A Deployment of 1 desired replica as the deployment controller reports it. */
    static DeploymentBuilder deployment(int replicas, int updated, int ready) {
        return new DeploymentBuilder()
                .withNewMetadata()
                .withGeneration(2L)
                .addToAnnotations(AppliedHash.ANNOTATION, HASH)
                .endMetadata()
                .withNewSpec()
                .withReplicas(1)
                .endSpec()
                .withNewStatus()
                .withObservedGeneration(2L)
                .withReplicas(replicas)
                .withUpdatedReplicas(updated)
                .withReadyReplicas(ready)
                .withAvailableReplicas(ready)
                .endStatus();
    }

    static Deployment rolledOut() {
        return deployment(1, 1, 1).build();
    }

    static Pod unschedulable() {
        return new PodBuilder()
                .withNewMetadata()
                .withName("p")
                .endMetadata()
                .withNewStatus()
                .addNewCondition()
                .withType("PodScheduled")
                .withStatus("False")
                .withReason("Unschedulable")
                .withMessage("0/3 nodes are available: 3 Insufficient nvidia.com/gpu.")
                .endCondition()
                .endStatus()
                .build();
    }

    /** A container in CrashLoopBackOff after {@code restarts} restarts, its last run ended with exit code 1. */
    static ContainerStatus crashLoop(String container, int restarts, String reason, String message) {
        return new ContainerStatusBuilder()
                .withName(container)
                .withRestartCount(restarts)
                .withNewState()
                .withNewWaiting()
                .withReason("CrashLoopBackOff")
                .endWaiting()
                .endState()
                .withNewLastState()
                .withNewTerminated()
                .withExitCode(1)
                .withReason(reason)
                .withMessage(message)
                .endTerminated()
                .endLastState()
                .build();
    }

    static Pod crashLooping() {
        return new PodBuilder()
                .withNewMetadata()
                .withName("p")
                .endMetadata()
                .withNewStatus()
                .withContainerStatuses(
                        crashLoop("runtime", 3, null, "model failed to load: no SavedModel at /mnt/models"))
                .endStatus()
                .build();
    }

    /** Restarted once (OOMKilled), running and ready again. */
    static Pod restartedOnceAndReady() {
        return new PodBuilder()
                .withNewMetadata()
                .withName("p")
                .endMetadata()
                .withNewStatus()
                .withPhase("Running")
                .addNewCondition()
                .withType("Ready")
                .withStatus("True")
                .endCondition()
                .addNewContainerStatus()
                .withName("runtime")
                .withReady(true)
                .withRestartCount(1)
                .withNewState()
                .withNewRunning()
                .withStartedAt("2026-01-01T00:01:00Z")
                .endRunning()
                .endState()
                .withNewLastState()
                .withNewTerminated()
                .withExitCode(137)
                .withReason("OOMKilled")
                .endTerminated()
                .endLastState()
                .endContainerStatus()
                .endStatus()
                .build();
    }

    static final String FETCH_DENIED =
            "fetching gs://models/iris/1: access denied: listing bucket models: HTTP 403 ... (the pod's identity needs storage.objects.list and storage.objects.get on the bucket)";

    static Pod initCrashLooping() {
        return new PodBuilder()
                .withNewMetadata()
                .withName("p")
                .endMetadata()
                .withNewStatus()
                .withPhase("Pending")
                .withInitContainerStatuses(crashLoop("fetch-model", 2, "Error", FETCH_DENIED))
                .addNewContainerStatus()
                .withName("runtime")
                .withNewState()
                .withNewWaiting()
                .withReason("PodInitializing")
                .endWaiting()
                .endState()
                .endContainerStatus()
                .endStatus()
                .build();
    }

    static Pod waiting(String reason, String message) {
        return new PodBuilder()
                .withNewMetadata()
                .withName("p")
                .endMetadata()
                .withNewStatus()
                .withPhase("Pending")
                .withContainerStatuses(new ContainerStatusBuilder()
                        .withName("runtime")
                        .withNewState()
                        .withNewWaiting()
                        .withReason(reason)
                        .withMessage(message)
                        .endWaiting()
                        .endState()
                        .build())
                .endStatus()
                .build();
    }

    static Condition condition(ExplainableModelStatus s, String type) {
        return s.getConditions().stream()
                .filter(c -> c.getType().equals(type))
                .findFirst()
                .orElseThrow();
    }
}
