package dev.explainable.serving.operator.workflow;

import io.fabric8.kubernetes.api.model.networking.v1.Ingress;

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

    /** The reconcile precondition: the desired state has one (ingresses are turned on). */
    public static class Enabled extends Wanted<Ingress> {}
}
