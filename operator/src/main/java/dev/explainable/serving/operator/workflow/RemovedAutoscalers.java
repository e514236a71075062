package dev.explainable.serving.operator.workflow;

import java.util.LinkedHashMap;
import java.util.Map;

import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.GarbageCollected;
import io.javaoperatorsdk.operator.processing.dependent.KubernetesBulkDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.Matcher.Result;
import io.javaoperatorsdk.operator.processing.event.ResourceID;

import dev.explainable.serving.operator.api.ExplainableModel;

/**
 * Deletes the HorizontalPodAutoscalers no longer desired (a removed version's, or one no longer autoscaled), first
 * in the workflow: an autoscaler no longer wanted must not scale what the operator sets next. It creates and changes
 * nothing: its desired objects are the cached autoscalers still wanted, as they are, so the bulk dependent's
 * reconcile only deletes the rest. {@link Autoscalers} creates and updates them after the Deployments.
 */
public class RemovedAutoscalers extends OwnedObjects<HorizontalPodAutoscaler>
        implements KubernetesBulkDependentResource<HorizontalPodAutoscaler, ExplainableModel>,
                GarbageCollected<ExplainableModel> {

    public RemovedAutoscalers() {
        super(HorizontalPodAutoscaler.class, "its version was removed or is no longer autoscaled");
    }

    @Override
    public Map<ResourceID, HorizontalPodAutoscaler> desiredResources(
            ExplainableModel model, Context<ExplainableModel> context) {
        Map<ResourceID, HorizontalPodAutoscaler> cached = getSecondaryResources(model, context);
        Map<ResourceID, HorizontalPodAutoscaler> kept = new LinkedHashMap<>();
        for (ResourceID wanted : super.desiredResources(model, context).keySet()) {
            if (cached.containsKey(wanted)) {
                kept.put(wanted, cached.get(wanted));
            }
        }
        return kept;
    }

    /** A kept autoscaler is as it is: nothing to apply. */
    @Override
    public Result<HorizontalPodAutoscaler> match(
            HorizontalPodAutoscaler actual,
            HorizontalPodAutoscaler kept,
            ExplainableModel model,
            Context<ExplainableModel> context) {
        return Result.computed(true, kept);
    }
}
