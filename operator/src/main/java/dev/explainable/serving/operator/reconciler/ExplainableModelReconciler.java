package dev.explainable.serving.operator.reconciler;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;

import dev.explainable.serving.operator.api.AutoscalingSpec;
import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.ExplainableModelStatus;
import dev.explainable.serving.operator.api.VersionSpec;
import dev.explainable.serving.operator.config.OperatorConfig;
import dev.explainable.serving.operator.dependent.AppliedHash;
import dev.explainable.serving.operator.dependent.DesiredState;
import dev.explainable.serving.operator.dependent.Labels;
import dev.explainable.serving.operator.dependent.VersionConfig;
import dev.explainable.serving.operator.events.EventRecorder;
import dev.explainable.serving.operator.events.ModelEvents;
import dev.explainable.serving.operator.policy.ModelPolicy;
import dev.explainable.serving.operator.policy.PolicyViolationStatus;
import dev.explainable.serving.operator.status.StatusCalculator;

/**
 * Thin: applies {@link DesiredState} with server-side apply, deletes what a removed version left behind, and
 * writes the status {@link StatusCalculator} derives from the Deployments and Pods it watches.
 *
 * <p>Everything it reads comes from informer caches (label-selected to the objects it manages), and it writes only
 * what differs: an object whose cached copy carries the {@link AppliedHash} of the desired one is not applied again,
 * and an unchanged status is not patched. A refusal by the API server lands in the status ({@code ApplyFailed}) with
 * a Warning event.
 *
 * <p>An autoscaled version's replicas are its HorizontalPodAutoscaler's: the Deployment the operator applies leaves
 * them out, so server-side apply never takes them back, and when the operator still owns them (the version was not
 * autoscaled before) it first hands them over as Kubernetes documents it ({@link #handOverReplicas}). Removing
 * autoscaling deletes the autoscaler before the Deployment is applied with the spec's replicas again.
 */
@ControllerConfiguration(name = "explainablemodel")
public class ExplainableModelReconciler implements Reconciler<ExplainableModel> {

    private static final Logger LOG = Logger.getLogger(ExplainableModelReconciler.class);
    private static final ObjectMapper JSON = new ObjectMapper().setSerializationInclusion(JsonInclude.Include.NON_NULL);
    static final String FIELD_MANAGER = Labels.OPERATOR;
    /** Holds an autoscaled Deployment's replicas between the operator letting go and the autoscaler's first scale. */
    static final String HANDOVER_MANAGER = Labels.OPERATOR + "-handover";

    static final String MANAGED = Labels.MANAGED_BY + "=" + Labels.OPERATOR;
    /** Kinds the operator creates, in the order stale ones are deleted. */
    static final List<Class<? extends HasMetadata>> OWNED = List.of(
            Ingress.class,
            Service.class,
            PodDisruptionBudget.class,
            HorizontalPodAutoscaler.class,
            Deployment.class,
            ConfigMap.class);
    /** Deleted before anything is applied: an autoscaler no longer wanted must not scale what the operator sets. */
    static final List<Class<? extends HasMetadata>> DELETED_FIRST = List.of(HorizontalPodAutoscaler.class);

    private final KubernetesClient client;
    private final OperatorConfig config;
    private final ModelEvents events;
    private final Map<Class<?>, InformerEventSource<? extends HasMetadata, ExplainableModel>> caches = new HashMap<>();

    public ExplainableModelReconciler(KubernetesClient client, OperatorConfig config) {
        this.client = client;
        this.config = config;
        this.events = new ModelEvents(new EventRecorder(client));
    }

    @Override
    public List<EventSource<?, ExplainableModel>> prepareEventSources(EventSourceContext<ExplainableModel> context) {
        List<EventSource<?, ExplainableModel>> sources = new ArrayList<>();
        // Ingresses are watched even when turned off: an empty watch costs nothing, and turning them off must
        // remove the ones made before
        for (Class<? extends HasMetadata> kind : OWNED) {
            InformerEventSource<? extends HasMetadata, ExplainableModel> source = owned(kind, context);
            caches.put(kind, source);
            sources.add(source);
        }
        // pods belong to ReplicaSets: mapped to their model by label
        sources.add(new InformerEventSource<>(
                InformerEventSourceConfiguration.from(Pod.class, ExplainableModel.class)
                        .withName("pods")
                        .withLabelSelector(MANAGED)
                        .withSecondaryToPrimaryMapper(p -> Set.of(new ResourceID(
                                p.getMetadata().getLabels().get(Labels.MODEL),
                                p.getMetadata().getNamespace())))
                        .build(),
                context));
        return sources;
    }

    /** Objects the model owns (owner reference), mapped back to it by that reference. */
    private static <R extends HasMetadata> InformerEventSource<R, ExplainableModel> owned(
            Class<R> kind, EventSourceContext<ExplainableModel> context) {
        return new InformerEventSource<>(
                InformerEventSourceConfiguration.from(kind, ExplainableModel.class)
                        .withName(HasMetadata.getPlural(kind))
                        .withLabelSelector(MANAGED)
                        .build(),
                context);
    }

    @Override
    public UpdateControl<ExplainableModel> reconcile(ExplainableModel model, Context<ExplainableModel> context) {
        // Refused by the operator's policy (file:// path, runtime image): say why, create and change nothing.
        List<String> violations = ModelPolicy.violations(model, config);
        if (!violations.isEmpty()) {
            ExplainableModelStatus refused = PolicyViolationStatus.of(model, violations, now());
            if (sameStatus(model.getStatus(), refused)) {
                return UpdateControl.noUpdate();
            }
            if (model.getStatus() == null
                    || !refused.getConditions().equals(model.getStatus().getConditions())) {
                events.policyViolation(model, violations);
            }
            return UpdateControl.patchStatus(forStatusPatch(model, refused));
        }
        Map<String, VersionConfig> configs = VersionConfig.of(model);
        List<HasMetadata> desired = DesiredState.of(model, config, configs);
        deleteStale(model, desired, context, DELETED_FIRST);
        Map<String, String> deploymentHashes = new HashMap<>();
        for (HasMetadata object : desired) {
            String hash = AppliedHash.stamp(object);
            if (object instanceof Deployment) {
                deploymentHashes.put(object.getMetadata().getLabels().get(Labels.VERSION), hash);
            }
            apply(model, object, hash);
        }
        deleteStale(
                model,
                desired,
                context,
                OWNED.stream().filter(k -> !DELETED_FIRST.contains(k)).toList());

        Map<String, Deployment> deployments = new HashMap<>();
        context.getSecondaryResources(Deployment.class)
                .forEach(d -> deployments.put(d.getMetadata().getLabels().get(Labels.VERSION), d));
        Map<String, List<Pod>> pods = new HashMap<>();
        context.getSecondaryResources(Pod.class)
                .forEach(p -> pods.computeIfAbsent(
                                p.getMetadata().getLabels().get(Labels.VERSION), k -> new ArrayList<>())
                        .add(p));
        Map<String, HorizontalPodAutoscaler> autoscalers = new HashMap<>();
        context.getSecondaryResources(HorizontalPodAutoscaler.class)
                .forEach(h -> autoscalers.put(h.getMetadata().getLabels().get(Labels.VERSION), h));
        ExplainableModelStatus status =
                StatusCalculator.compute(model, configs, deploymentHashes, deployments, pods, autoscalers, now());
        if (sameStatus(model.getStatus(), status)) {
            return UpdateControl.noUpdate();
        }
        events.announceChanges(model, status);
        return UpdateControl.patchStatus(forStatusPatch(model, status));
    }

    /** Server-side apply, unless the cached object already carries this hash (then it would change nothing). */
    @SuppressWarnings("unchecked")
    private <R extends HasMetadata> void apply(ExplainableModel model, R object, String hash) {
        var cache = (InformerEventSource<R, ExplainableModel>) caches.get(object.getClass());
        ResourceID id = new ResourceID(
                object.getMetadata().getName(), object.getMetadata().getNamespace());
        R cached = cache == null ? null : cache.get(id).orElse(null);
        if (cached != null && hash.equals(AppliedHash.of(cached))) {
            return;
        }
        if (object instanceof Deployment d && cached instanceof Deployment live) {
            handOverReplicas(model, d, live);
        }
        R applied = client.resource(object)
                .fieldManager(FIELD_MANAGER)
                .forceConflicts()
                .serverSideApply();
        if (cache != null) {
            // the cache answers with what was just written, not the copy from before, until the watch catches up
            if (cached == null) {
                cache.handleRecentResourceCreate(ResourceID.fromResource(model), applied);
            } else {
                cache.handleRecentResourceUpdate(ResourceID.fromResource(model), applied, cached);
            }
        }
    }

    /**
     * A Deployment that becomes autoscaled while the operator owns its replicas: applied without them, server-side
     * apply would reset them to the default of 1 (no other manager owns them), dropping pods until the autoscaler
     * raises them again. So first a second field manager applies just the replicas, at the current count within the
     * autoscaler's bounds; it keeps them until the autoscaler's first scale takes them over (the handover Kubernetes'
     * server-side apply documentation describes for HorizontalPodAutoscalers).
     */
    private void handOverReplicas(ExplainableModel model, Deployment desired, Deployment live) {
        if (desired.getSpec().getReplicas() != null || !ownsReplicas(live, FIELD_MANAGER)) {
            return;
        }
        String version = desired.getMetadata().getLabels().get(Labels.VERSION);
        AutoscalingSpec a = model.getSpec().getVersions().stream()
                .filter(v -> v.getName().equals(version))
                .map(VersionSpec::getAutoscaling)
                .findFirst()
                .orElseThrow();
        int current = live.getSpec() == null || live.getSpec().getReplicas() == null
                ? a.min()
                : live.getSpec().getReplicas();
        int replicas = Math.max(a.min(), Math.min(a.max(), current));
        client.resource(new DeploymentBuilder()
                        .withNewMetadata()
                        .withName(desired.getMetadata().getName())
                        .withNamespace(desired.getMetadata().getNamespace())
                        .endMetadata()
                        .withNewSpec()
                        .withReplicas(replicas)
                        .endSpec()
                        .build())
                .fieldManager(HANDOVER_MANAGER)
                .forceConflicts()
                .serverSideApply();
    }

    /** {@code manager}'s server-side apply owns the Deployment's spec.replicas. */
    static boolean ownsReplicas(Deployment d, String manager) {
        for (ManagedFieldsEntry e : d.getMetadata().getManagedFields()) {
            if (manager.equals(e.getManager())
                    && "Apply".equals(e.getOperation())
                    && e.getFieldsV1() != null
                    && e.getFieldsV1().getAdditionalProperties().get("f:spec") instanceof Map<?, ?> spec
                    && spec.containsKey("f:replicas")) {
                return true;
            }
        }
        return false;
    }

    /** Objects of this model of these kinds that the desired state no longer lists (a removed version, ...). */
    private void deleteStale(
            ExplainableModel model,
            List<HasMetadata> desired,
            Context<ExplainableModel> context,
            List<Class<? extends HasMetadata>> kinds) {
        Set<String> keep = new HashSet<>();
        desired.forEach(o -> keep.add(o.getKind() + "/" + o.getMetadata().getName()));
        for (Class<? extends HasMetadata> kind : kinds) {
            for (HasMetadata o : context.getSecondaryResources(kind)) {
                boolean ours = o.getMetadata().getOwnerReferences().stream()
                        .anyMatch(r -> r.getUid().equals(model.getMetadata().getUid()));
                if (ours
                        && o.getMetadata().getDeletionTimestamp() == null
                        && !keep.contains(o.getKind() + "/" + o.getMetadata().getName())) {
                    client.resource(o).delete();
                    String why = switch (o.getKind()) {
                        case "Ingress" -> "ingresses are turned off";
                        case "PodDisruptionBudget" -> "its version was removed or has one replica";
                        case "HorizontalPodAutoscaler" -> "its version was removed or is no longer autoscaled";
                        default -> "its version was removed";
                    };
                    events.deleted(model, o, why);
                }
            }
        }
    }

    /**
     * The API server refused an object (invalid, forbidden, over a limit): its message goes into the status and a
     * Warning event, instead of a status that no longer describes the resource. Retried as JOSDK does by default,
     * since a quota or an admission webhook may change its mind.
     */
    @Override
    public ErrorStatusUpdateControl<ExplainableModel> updateErrorStatus(
            ExplainableModel model, Context<ExplainableModel> context, Exception e) {
        String refusal = refusal(e);
        if (refusal == null) {
            return ErrorStatusUpdateControl.defaultErrorProcessing();
        }
        ExplainableModelStatus status = StatusCalculator.applyFailed(model, refusal, now());
        if (sameStatus(model.getStatus(), status)) {
            return ErrorStatusUpdateControl.noStatusUpdate();
        }
        LOG.infof(
                "%s/%s: the API server refused an object: %s",
                model.getMetadata().getNamespace(), model.getMetadata().getName(), refusal);
        events.applyFailed(model, refusal);
        return ErrorStatusUpdateControl.patchStatus(forStatusPatch(model, status));
    }

    /**
     * The model with its new status and without a resourceVersion: the status is the operator's alone, so it is
     * applied without a precondition. With one, a reconcile that started from a cached copy older than the
     * operator's own previous status patch would be refused (409) and run again for nothing; a status computed from
     * an older generation says so in its observedGeneration, and the next reconcile follows at once.
     */
    private static ExplainableModel forStatusPatch(ExplainableModel model, ExplainableModelStatus status) {
        model.setStatus(status);
        model.getMetadata().setResourceVersion(null);
        return model;
    }

    /**
     * The API server's own message when it refused a request (4xx: invalid, forbidden, too large), else null: a
     * conflict (409), throttling (429), a server error or a timeout passes by itself and is retried, not reported.
     */
    static String refusal(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof KubernetesClientException k
                    && k.getStatus() != null
                    && k.getCode() >= 400
                    && k.getCode() < 500
                    && k.getCode() != 409
                    && k.getCode() != 429
                    && k.getStatus().getMessage() != null) {
                return k.getStatus().getMessage();
            }
        }
        return null;
    }

    /** Equal as JSON without nulls: a status read back from the API server lacks the null fields a computed one holds. */
    static boolean sameStatus(ExplainableModelStatus a, ExplainableModelStatus b) {
        if (a == null || b == null) {
            return a == b;
        }
        return JSON.valueToTree(a).equals(JSON.valueToTree(b));
    }

    private static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
