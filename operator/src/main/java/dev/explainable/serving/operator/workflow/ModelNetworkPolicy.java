package dev.explainable.serving.operator.workflow;

import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.javaoperatorsdk.operator.processing.event.ResourceID;

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

    /** The reconcile precondition: the desired state has a NetworkPolicy (they are turned on). */
    public static class Enabled implements Condition<NetworkPolicy, ExplainableModel> {

        @Override
        public boolean isMet(
                DependentResource<NetworkPolicy, ExplainableModel> policy,
                ExplainableModel model,
                Context<ExplainableModel> context) {
            ResourceID id = new ResourceID(
                    model.getMetadata().getName(), model.getMetadata().getNamespace());
            return DesiredObjects.in(context).named(NetworkPolicy.class, id).isPresent();
        }
    }
}
