package dev.explainable.serving.operator.workflow;

import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.javaoperatorsdk.operator.processing.event.ResourceID;

import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.dependent.DesiredIngress;

/**
 * The model's Ingress ({@link DesiredIngress}), while the operator's configuration turns ingresses on
 * ({@link Enabled}); turned off, the one made before goes.
 */
public class ModelIngress extends OneObject<Ingress> {

    public ModelIngress() {
        super(Ingress.class, "ingresses are turned off");
    }

    @Override
    String name(ExplainableModel model) {
        return model.getMetadata().getName();
    }

    /** The reconcile precondition: the desired state has an Ingress (ingresses are turned on). */
    public static class Enabled implements Condition<Ingress, ExplainableModel> {

        @Override
        public boolean isMet(
                DependentResource<Ingress, ExplainableModel> ingress,
                ExplainableModel model,
                Context<ExplainableModel> context) {
            ResourceID id = new ResourceID(
                    model.getMetadata().getName(), model.getMetadata().getNamespace());
            return DesiredObjects.in(context).named(Ingress.class, id).isPresent();
        }
    }
}
