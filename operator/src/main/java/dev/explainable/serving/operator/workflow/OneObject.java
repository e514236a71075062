package dev.explainable.serving.operator.workflow;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.api.reconciler.dependent.GarbageCollected;
import io.javaoperatorsdk.operator.processing.dependent.Creator;
import io.javaoperatorsdk.operator.processing.dependent.Updater;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.javaoperatorsdk.operator.processing.event.ResourceID;

import dev.explainable.serving.operator.api.ExplainableModel;

/** One object of the model (not one per version), created, updated, and deleted when its precondition fails. */
abstract class OneObject<R extends HasMetadata> extends OwnedObjects<R>
        implements Creator<R, ExplainableModel>, Updater<R, ExplainableModel>, GarbageCollected<ExplainableModel> {

    OneObject(Class<R> kind, String whyDeleted) {
        super(kind, whyDeleted);
    }

    /** The object's name. */
    abstract String name(ExplainableModel model);

    /** By name, not from the desired object: when the precondition fails there is none, and the object goes. */
    @Override
    protected ResourceID targetSecondaryResourceID(ExplainableModel model, Context<ExplainableModel> context) {
        return new ResourceID(name(model), model.getMetadata().getNamespace());
    }

    @Override
    protected R desired(ExplainableModel model, Context<ExplainableModel> context) {
        ResourceID id = targetSecondaryResourceID(model, context);
        return DesiredObjects.in(context)
                .named(resourceType(), id)
                .orElseThrow(() ->
                        new IllegalStateException("no desired " + resourceType().getSimpleName() + " " + id));
    }

    /**
     * A reconcile precondition: the desired state has this object (the operator's configuration turns its kind on);
     * when it fails, the object made before goes. Named as the model, as every one-object kind here is.
     */
    abstract static class Wanted<R extends HasMetadata> implements Condition<R, ExplainableModel> {

        @Override
        public boolean isMet(
                DependentResource<R, ExplainableModel> dependent,
                ExplainableModel model,
                Context<ExplainableModel> context) {
            ResourceID id = new ResourceID(
                    model.getMetadata().getName(), model.getMetadata().getNamespace());
            return DesiredObjects.in(context)
                    .named(dependent.resourceType(), id)
                    .isPresent();
        }
    }
}
