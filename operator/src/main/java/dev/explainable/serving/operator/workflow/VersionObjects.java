package dev.explainable.serving.operator.workflow;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.dependent.GarbageCollected;
import io.javaoperatorsdk.operator.processing.dependent.BulkUpdater;
import io.javaoperatorsdk.operator.processing.dependent.Creator;
import io.javaoperatorsdk.operator.processing.dependent.KubernetesBulkDependentResource;

import dev.explainable.serving.operator.api.ExplainableModel;

/**
 * One object per version (JOSDK's bulk dependent, keyed by the object's name): the desired ones are created or
 * updated, and the cached ones no longer desired (a removed version's) deleted.
 */
abstract class VersionObjects<R extends HasMetadata> extends OwnedObjects<R>
        implements KubernetesBulkDependentResource<R, ExplainableModel>,
                Creator<R, ExplainableModel>,
                BulkUpdater<R, ExplainableModel>,
                GarbageCollected<ExplainableModel> {

    VersionObjects(Class<R> kind, String whyDeleted) {
        super(kind, whyDeleted);
    }
}
