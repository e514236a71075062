package dev.explainable.serving.operator.reconciler;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.AggregatedOperatorException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;

import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.ExplainableModelStatus;
import dev.explainable.serving.operator.config.OperatorConfig;
import dev.explainable.serving.operator.dependent.DesiredState;
import dev.explainable.serving.operator.dependent.Labels;
import dev.explainable.serving.operator.dependent.VersionConfig;
import dev.explainable.serving.operator.events.EventRecorder;
import dev.explainable.serving.operator.events.ModelEvents;
import dev.explainable.serving.operator.monitoring.AlertPolling;
import dev.explainable.serving.operator.monitoring.VersionAlerts;
import dev.explainable.serving.operator.policy.ModelPolicy;
import dev.explainable.serving.operator.policy.PolicyViolationStatus;
import dev.explainable.serving.operator.status.StatusCalculator;
import dev.explainable.serving.operator.workflow.Autoscalers;
import dev.explainable.serving.operator.workflow.Deployments;
import dev.explainable.serving.operator.workflow.DesiredObjects;
import dev.explainable.serving.operator.workflow.DisruptionBudgets;
import dev.explainable.serving.operator.workflow.Informers;
import dev.explainable.serving.operator.workflow.ModelIngress;
import dev.explainable.serving.operator.workflow.ModelNetworkPolicy;
import dev.explainable.serving.operator.workflow.ModelService;
import dev.explainable.serving.operator.workflow.RemovedAutoscalers;
import dev.explainable.serving.operator.workflow.VersionConfigMaps;
import dev.explainable.serving.operator.workflow.VersionServices;
import dev.explainable.serving.operator.workflow.VersionsConfigMap;

/**
 * Policy, workflow, status: a model the operator's {@link ModelPolicy} refuses gets a status saying why and nothing
 * else; otherwise the workflow's dependents apply its {@link DesiredState} and delete what a removed version (or a
 * change of configuration) left behind, and the status {@link StatusCalculator} derives from the Deployments, Pods
 * and autoscalers is written.
 *
 * <p>The workflow runs its dependents one after another, in the order the objects need: autoscalers no longer wanted
 * go first, then ConfigMaps before the Deployments that mount them, and a Deployment before the autoscaler that
 * scales it. Everything read comes from informer caches (label-selected to the objects the operator manages, {@link
 * Informers}), and only what differs is written: an object whose cached copy carries the hash of the desired one is
 * not applied again, and an unchanged status is not patched. A refusal by the API server lands in the status
 * ({@code ApplyFailed}) with a Warning event.
 */
@ControllerConfiguration(name = "explainablemodel")
@Workflow(
        explicitInvocation = true,
        dependents = {
            // no dependsOn: independent of the chain below, so that turning it off (its precondition failing) holds
            // nothing else back
            @Dependent(
                    name = "network-policy",
                    type = ModelNetworkPolicy.class,
                    reconcilePrecondition = ModelNetworkPolicy.Enabled.class,
                    useEventSourceWithName = Informers.NETWORK_POLICIES),
            @Dependent(
                    name = "removed-autoscalers",
                    type = RemovedAutoscalers.class,
                    useEventSourceWithName = Informers.AUTOSCALERS),
            @Dependent(
                    name = "version-configmaps",
                    type = VersionConfigMaps.class,
                    dependsOn = "removed-autoscalers",
                    useEventSourceWithName = Informers.CONFIG_MAPS),
            @Dependent(
                    name = "versions-configmap",
                    type = VersionsConfigMap.class,
                    dependsOn = "version-configmaps",
                    useEventSourceWithName = Informers.CONFIG_MAPS),
            @Dependent(
                    name = "deployments",
                    type = Deployments.class,
                    dependsOn = "versions-configmap",
                    useEventSourceWithName = Informers.DEPLOYMENTS),
            @Dependent(
                    name = "version-services",
                    type = VersionServices.class,
                    dependsOn = "deployments",
                    useEventSourceWithName = Informers.SERVICES),
            @Dependent(
                    name = "disruption-budgets",
                    type = DisruptionBudgets.class,
                    dependsOn = "version-services",
                    useEventSourceWithName = Informers.DISRUPTION_BUDGETS),
            @Dependent(
                    name = "autoscalers",
                    type = Autoscalers.class,
                    dependsOn = "disruption-budgets",
                    useEventSourceWithName = Informers.AUTOSCALERS),
            @Dependent(
                    name = "model-service",
                    type = ModelService.class,
                    dependsOn = "autoscalers",
                    useEventSourceWithName = Informers.SERVICES),
            @Dependent(
                    name = "ingress",
                    type = ModelIngress.class,
                    dependsOn = "model-service",
                    reconcilePrecondition = ModelIngress.Enabled.class,
                    useEventSourceWithName = Informers.INGRESSES)
        })
public class ExplainableModelReconciler implements Reconciler<ExplainableModel> {

    private static final Logger LOG = Logger.getLogger(ExplainableModelReconciler.class);
    private static final ObjectMapper JSON = new ObjectMapper().setSerializationInclusion(JsonInclude.Include.NON_NULL);

    private final OperatorConfig config;
    private final ModelEvents events;

    public ExplainableModelReconciler(KubernetesClient client, OperatorConfig config) {
        this.config = config;
        this.events = new ModelEvents(new EventRecorder(client));
    }

    @Override
    public List<EventSource<?, ExplainableModel>> prepareEventSources(EventSourceContext<ExplainableModel> context) {
        List<EventSource<?, ExplainableModel>> sources = new ArrayList<>(Informers.of(context));
        @SuppressWarnings("unchecked")
        InformerEventSource<Pod, ExplainableModel> pods = (InformerEventSource<Pod, ExplainableModel>) sources.stream()
                .filter(s -> Informers.PODS.equals(s.name()))
                .findFirst()
                .orElseThrow();
        sources.add(AlertPolling.eventSource(
                context, pods::getSecondaryResources, config.monitoring().pollInterval()));
        return sources;
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
        DesiredObjects desired = DesiredObjects.stamped(DesiredState.of(model, config, configs), events);
        desired.handTo(context);
        context.managedWorkflowAndDependentResourceContext().reconcileManagedWorkflow();

        ExplainableModelStatus status = StatusCalculator.compute(
                model,
                configs,
                desired.deploymentHashes(),
                byVersion(context, Deployment.class),
                podsByVersion(context),
                byVersion(context, HorizontalPodAutoscaler.class),
                alertsByVersion(context),
                now());
        if (sameStatus(model.getStatus(), status)) {
            return UpdateControl.noUpdate();
        }
        events.announceChanges(model, status);
        return UpdateControl.patchStatus(forStatusPatch(model, status));
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

    /** The cached objects of this kind, by their version label. */
    private static <R extends HasMetadata> Map<String, R> byVersion(Context<ExplainableModel> context, Class<R> kind) {
        Map<String, R> out = new HashMap<>();
        context.getSecondaryResources(kind)
                .forEach(o -> out.put(o.getMetadata().getLabels().get(Labels.VERSION), o));
        return out;
    }

    private static Map<String, VersionAlerts> alertsByVersion(Context<ExplainableModel> context) {
        Map<String, VersionAlerts> out = new HashMap<>();
        context.getSecondaryResources(VersionAlerts.class).forEach(a -> out.put(a.version(), a));
        return out;
    }

    private static Map<String, List<Pod>> podsByVersion(Context<ExplainableModel> context) {
        Map<String, List<Pod>> pods = new HashMap<>();
        context.getSecondaryResources(Pod.class)
                .forEach(p -> pods.computeIfAbsent(
                                p.getMetadata().getLabels().get(Labels.VERSION), k -> new ArrayList<>())
                        .add(p));
        return pods;
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
     * The workflow reports its dependents' failures together ({@link AggregatedOperatorException}).
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
            if (t instanceof AggregatedOperatorException aggregated) {
                for (Exception each : aggregated.getAggregatedExceptions().values()) {
                    String refusal = refusal(each);
                    if (refusal != null) {
                        return refusal;
                    }
                }
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
