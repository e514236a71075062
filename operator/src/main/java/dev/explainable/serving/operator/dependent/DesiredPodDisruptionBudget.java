package dev.explainable.serving.operator.dependent;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;

import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.VersionSpec;

/**
 * Versions with more than one replica, and autoscaled versions whose maxReplicas is more than one: voluntary
 * disruptions (node drains) evict one pod of the version at a time.
 * maxUnavailable 1 rather than minAvailable so it stays right when replicas change. None for one replica
 * ({@link DesiredState#of}): its only pod could never be evicted, and that would block every drain of its node.
 * An autoscaled version keeps its budget at one pod: with maxUnavailable 1 the eviction API still lets that pod go
 * (AutoscalingOnControlPlaneTest evicts it). Unhealthy pods may always be evicted: a crash-looping version must not
 * block drains either.
 */
public final class DesiredPodDisruptionBudget {

    private DesiredPodDisruptionBudget() {}

    public static PodDisruptionBudget of(ExplainableModel m, VersionSpec v) {
        String model = m.getMetadata().getName();
        return new PodDisruptionBudgetBuilder()
                .withMetadata(DesiredState.meta(
                        m, DesiredState.versionName(m, v.getName()), Labels.forVersion(model, v.getName())))
                .withNewSpec()
                .withMaxUnavailable(new IntOrString(1))
                .withNewSelector()
                .withMatchLabels(Labels.selector(model, v.getName()))
                .endSelector()
                .withUnhealthyPodEvictionPolicy("AlwaysAllow")
                .endSpec()
                .build();
    }
}
