package dev.explainable.serving.operator.workflow;

import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.javaoperatorsdk.operator.processing.dependent.BulkUpdater;
import io.javaoperatorsdk.operator.processing.dependent.Creator;
import io.javaoperatorsdk.operator.processing.dependent.KubernetesBulkDependentResource;

import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.dependent.DesiredHorizontalPodAutoscaler;

/**
 * Each autoscaled version's HorizontalPodAutoscaler ({@link DesiredHorizontalPodAutoscaler}), created after its
 * Deployment (which hands its replicas over first). Creating and updating only: {@link RemovedAutoscalers} deleted
 * those no longer desired before the Deployments were applied.
 */
public class Autoscalers extends OwnedObjects<HorizontalPodAutoscaler>
        implements KubernetesBulkDependentResource<HorizontalPodAutoscaler, ExplainableModel>,
                Creator<HorizontalPodAutoscaler, ExplainableModel>,
                BulkUpdater<HorizontalPodAutoscaler, ExplainableModel> {

    public Autoscalers() {
        super(HorizontalPodAutoscaler.class, "its version was removed or is no longer autoscaled");
    }
}
