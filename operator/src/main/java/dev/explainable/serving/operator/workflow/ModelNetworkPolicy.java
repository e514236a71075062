package dev.explainable.serving.operator.workflow;

import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;

import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.dependent.DesiredNetworkPolicy;

/**
 * The model's NetworkPolicy ({@link DesiredNetworkPolicy}), while the operator's configuration turns them on
 * ({@link Enabled}); turned off, the one made before goes.
 */
public class ModelNetworkPolicy extends OneObject<NetworkPolicy> {

    public ModelNetworkPolicy() {
        super(NetworkPolicy.class, "network policies are turned off");
    }

    @Override
    String name(ExplainableModel model) {
        return model.getMetadata().getName();
    }

    /** The reconcile precondition: the desired state has one (NetworkPolicies are turned on). */
    public static class Enabled extends Wanted<NetworkPolicy> {}
}
