package dev.explainable.serving.operator.workflow;

import java.util.Map;
import java.util.function.Predicate;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.Matcher.Result;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.event.ResourceID;

import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.dependent.AppliedHash;
import dev.explainable.serving.operator.dependent.Labels;

/**
 * The model's objects of one kind as a JOSDK dependent, whose traits (create, update, delete; one object or one per
 * version) each subclass declares. What they share:
 *
 * <ul>
 *   <li>the desired objects are the reconcile's ({@link DesiredObjects});
 *   <li>the matcher is {@link AppliedHash}: an object whose cached copy carries the desired one's hash is not applied
 *       again (JOSDK's own SSA matcher has false mismatches, java-operator-sdk#2038);
 *   <li>creating and updating is a server-side apply, forced, under the operator's own field manager, which owns the
 *       fields of every object it applied before (JOSDK's would be the controller's name), and without JOSDK's
 *       event-filtering annotation: the informer's cache is filled with what was applied instead
 *       ({@code onCreated}, {@code onUpdated});
 *   <li>an object no longer desired is deleted only if this model owns it and it is not being deleted already, and
 *       a Deleted event says why ({@link #whyDeleted}).
 * </ul>
 */
abstract class OwnedObjects<R extends HasMetadata> extends KubernetesDependentResource<R, ExplainableModel> {

    static final String FIELD_MANAGER = Labels.OPERATOR;

    private final String whyDeleted;

    OwnedObjects(Class<R> kind, String whyDeleted) {
        super(kind);
        this.whyDeleted = whyDeleted;
    }

    /** Whether this dependent manages {@code object}, one of the model's objects of its kind. */
    boolean manages(ExplainableModel model, R object) {
        return true;
    }

    @Override
    public Result<R> match(R actual, R desired, ExplainableModel model, Context<ExplainableModel> context) {
        return Result.computed(AppliedHash.of(desired).equals(AppliedHash.of(actual)), desired);
    }

    @Override
    public R create(R desired, ExplainableModel model, Context<ExplainableModel> context) {
        return apply(desired, context);
    }

    @Override
    public R update(R actual, R desired, ExplainableModel model, Context<ExplainableModel> context) {
        return apply(desired, context);
    }

    static <T extends HasMetadata> T apply(T desired, Context<ExplainableModel> context) {
        return context.getClient()
                .resource(desired)
                .fieldManager(FIELD_MANAGER)
                .forceConflicts()
                .serverSideApply();
    }

    /** One per version: the desired objects this dependent manages, keyed as JOSDK's bulk dependents key them. */
    public Map<ResourceID, R> desiredResources(ExplainableModel model, Context<ExplainableModel> context) {
        return DesiredObjects.in(context).ofKind(resourceType(), o -> manages(model, o));
    }

    /** One per version: the cached objects this dependent manages. */
    public Predicate<R> secondaryResourceFilter(ExplainableModel model, Context<ExplainableModel> context) {
        return o -> manages(model, o);
    }

    /** One per version: a cached object that is no longer desired. */
    @Override
    public void deleteTargetResource(
            ExplainableModel model, R object, ResourceID key, Context<ExplainableModel> context) {
        deleteStale(model, object, context);
    }

    /** One object: the cached object (or null) whose reconcile precondition does not hold. */
    @Override
    protected void handleDelete(ExplainableModel model, R object, Context<ExplainableModel> context) {
        if (object != null) {
            deleteStale(model, object, context);
        }
    }

    private void deleteStale(ExplainableModel model, R object, Context<ExplainableModel> context) {
        boolean ours = object.getMetadata().getOwnerReferences().stream()
                .anyMatch(r -> r.getUid().equals(model.getMetadata().getUid()));
        if (ours && object.getMetadata().getDeletionTimestamp() == null) {
            context.getClient().resource(object).delete();
            DesiredObjects.in(context).events().deleted(model, object, whyDeleted);
        }
    }
}
