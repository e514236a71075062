package dev.explainable.serving.operator.workflow;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;

import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.dependent.Labels;

/**
 * The operator's informers, one per kind, label-selected to the objects it manages: those of the kinds it creates
 * map to their model by owner reference, and the workflow's dependents read them by name (two dependents share the
 * ConfigMaps', the Services' and the HorizontalPodAutoscalers' informer); the pods' map to their model by label.
 * Ingresses and NetworkPolicies are watched even when turned off: an empty watch costs nothing, and turning them off must remove the
 * ones made before.
 */
public final class Informers {

    public static final String CONFIG_MAPS = "configmaps";
    public static final String DEPLOYMENTS = "deployments";
    public static final String SERVICES = "services";
    public static final String DISRUPTION_BUDGETS = "poddisruptionbudgets";
    public static final String AUTOSCALERS = "horizontalpodautoscalers";
    public static final String INGRESSES = "ingresses";
    public static final String NETWORK_POLICIES = "networkpolicies";
    public static final String PODS = "pods";

    static final String MANAGED = Labels.MANAGED_BY + "=" + Labels.OPERATOR;

    /** The kinds the operator creates, by their informer's name. */
    static final List<Class<? extends HasMetadata>> OWNED = List.of(
            NetworkPolicy.class,
            Ingress.class,
            Service.class,
            PodDisruptionBudget.class,
            HorizontalPodAutoscaler.class,
            Deployment.class,
            ConfigMap.class);

    private Informers() {}

    public static List<EventSource<?, ExplainableModel>> of(EventSourceContext<ExplainableModel> context) {
        List<EventSource<?, ExplainableModel>> sources = new ArrayList<>();
        for (Class<? extends HasMetadata> kind : OWNED) {
            sources.add(owned(kind, context));
        }
        // pods belong to ReplicaSets: mapped to their model by label
        sources.add(new InformerEventSource<>(
                InformerEventSourceConfiguration.from(Pod.class, ExplainableModel.class)
                        .withName(PODS)
                        .withLabelSelector(MANAGED)
                        .withSecondaryToPrimaryMapper(p -> Set.of(new ResourceID(
                                p.getMetadata().getLabels().get(Labels.MODEL),
                                p.getMetadata().getNamespace())))
                        .build(),
                context));
        return sources;
    }

    /** Objects the model owns (owner reference), mapped back to it by that reference; named by their plural. */
    private static <R extends HasMetadata> InformerEventSource<R, ExplainableModel> owned(
            Class<R> kind, EventSourceContext<ExplainableModel> context) {
        return new InformerEventSource<>(
                InformerEventSourceConfiguration.from(kind, ExplainableModel.class)
                        .withName(HasMetadata.getPlural(kind))
                        .withLabelSelector(MANAGED)
                        .build(),
                context);
    }
}
