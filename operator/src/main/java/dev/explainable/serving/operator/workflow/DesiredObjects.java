package dev.explainable.serving.operator.workflow;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.ResourceID;

import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.dependent.AppliedHash;
import dev.explainable.serving.operator.dependent.DesiredState;
import dev.explainable.serving.operator.dependent.Labels;
import dev.explainable.serving.operator.events.ModelEvents;

/**
 * What one reconcile wants ({@link DesiredState}, computed once, each object stamped with its {@link AppliedHash}),
 * handed to the workflow's dependents through JOSDK's context with the events they record. The dependents are
 * created by JOSDK, once per operator; what they apply comes from here, so that they stay free of the operator's
 * configuration.
 */
public final class DesiredObjects {

    private static final String KEY = DesiredObjects.class.getName();

    private final List<HasMetadata> objects;
    private final ModelEvents events;

    private DesiredObjects(List<HasMetadata> objects, ModelEvents events) {
        this.objects = List.copyOf(objects);
        this.events = events;
    }

    /** {@code objects}, each stamped with its {@link AppliedHash}. */
    public static DesiredObjects stamped(List<HasMetadata> objects, ModelEvents events) {
        objects.forEach(AppliedHash::stamp);
        return new DesiredObjects(objects, events);
    }

    /** Makes these the desired objects of the workflow this context runs. */
    public void handTo(Context<ExplainableModel> context) {
        context.managedWorkflowAndDependentResourceContext().put(KEY, this);
    }

    /** The desired objects of the workflow this context runs. */
    static DesiredObjects in(Context<ExplainableModel> context) {
        return context.managedWorkflowAndDependentResourceContext().getMandatory(KEY, DesiredObjects.class);
    }

    /** Per version, the {@link AppliedHash} of its desired Deployment. */
    public Map<String, String> deploymentHashes() {
        Map<String, String> hashes = new HashMap<>();
        for (HasMetadata o : objects) {
            if (o instanceof Deployment d) {
                hashes.put(d.getMetadata().getLabels().get(Labels.VERSION), AppliedHash.of(d));
            }
        }
        return hashes;
    }

    /** The desired objects of this kind that {@code which} accepts, in the order they are applied. */
    <R extends HasMetadata> Map<ResourceID, R> ofKind(Class<R> kind, Predicate<R> which) {
        Map<ResourceID, R> out = new LinkedHashMap<>();
        for (HasMetadata o : objects) {
            if (kind.isInstance(o) && which.test(kind.cast(o))) {
                out.put(ResourceID.fromResource(o), kind.cast(o));
            }
        }
        return out;
    }

    /** The desired object of this kind and id, if there is one. */
    <R extends HasMetadata> Optional<R> named(Class<R> kind, ResourceID id) {
        return Optional.ofNullable(ofKind(kind, o -> true).get(id));
    }

    ModelEvents events() {
        return events;
    }
}
