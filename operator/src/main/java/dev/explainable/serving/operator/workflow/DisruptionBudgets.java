package dev.explainable.serving.operator.workflow;

import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;

import dev.explainable.serving.operator.dependent.DesiredPodDisruptionBudget;
import dev.explainable.serving.operator.dependent.DesiredState;

/**
 * The PodDisruptionBudget of each version that may have more than one pod ({@link DesiredPodDisruptionBudget},
 * {@link DesiredState#of}); one of a removed version, or of a version down to one pod, goes.
 */
public class DisruptionBudgets extends VersionObjects<PodDisruptionBudget> {

    public DisruptionBudgets() {
        super(PodDisruptionBudget.class, "its version was removed or has one replica");
    }
}
