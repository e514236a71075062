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

import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.ExplainableModelStatus;
import dev.explainable.serving.operator.api.VersionStatus;
import dev.explainable.serving.operator.config.OperatorConfig;
import dev.explainable.serving.operator.dependent.DesiredState;
import dev.explainable.serving.operator.dependent.Labels;
import dev.explainable.serving.operator.policy.ModelPolicy;
import dev.explainable.serving.operator.policy.PolicyViolationStatus;
import dev.explainable.serving.operator.status.StatusCalculator;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;

/**
 * Thin: applies {@link DesiredState} with server-side apply, deletes what a removed version left behind, and
 * writes the status {@link StatusCalculator} derives from the Deployments and Pods it watches.
 */
@ControllerConfiguration(name = "explainablemodel")
public class ExplainableModelReconciler implements Reconciler<ExplainableModel> {

    private static final Logger LOG = Logger.getLogger(ExplainableModelReconciler.class);
    static final String FIELD_MANAGER = Labels.OPERATOR;
    static final String MANAGED = Labels.MANAGED_BY + "=" + Labels.OPERATOR;

    private final KubernetesClient client;
    private final OperatorConfig config;

    public ExplainableModelReconciler(KubernetesClient client, OperatorConfig config) {
        this.client = client;
        this.config = config;
    }

    @Override
    public List<EventSource<?, ExplainableModel>> prepareEventSources(EventSourceContext<ExplainableModel> context) {
        var deployments = new InformerEventSource<>(InformerEventSourceConfiguration
                .from(Deployment.class, ExplainableModel.class).withName("deployments").withLabelSelector(MANAGED)
                .build(), context);
        var pods = new InformerEventSource<>(InformerEventSourceConfiguration
                .from(Pod.class, ExplainableModel.class).withName("pods").withLabelSelector(MANAGED)
                .withSecondaryToPrimaryMapper(p -> Set.of(new ResourceID(p.getMetadata().getLabels().get(Labels.MODEL),
                        p.getMetadata().getNamespace())))
                .build(), context);
        return List.of(deployments, pods);
    }

    @Override
    public UpdateControl<ExplainableModel> reconcile(ExplainableModel model, Context<ExplainableModel> context) {
        String ns = model.getMetadata().getNamespace();
        // Refused by the operator's policy (file:// path, runtime image): say why, create and change nothing.
        List<String> violations = ModelPolicy.violations(model, config);
        if (!violations.isEmpty()) {
            ExplainableModelStatus refused = PolicyViolationStatus.of(model, violations,
                    Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
            if (model.getStatus() == null || !refused.getConditions().equals(model.getStatus().getConditions())) {
                event(model, PolicyViolationStatus.REASON, String.join("; ", violations));
            }
            model.setStatus(refused);
            return UpdateControl.patchStatus(model);
        }
        List<HasMetadata> desired = DesiredState.of(model, config);
        for (HasMetadata object : desired) {
            client.resource(object).fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
        }
        deleteStale(model, desired);

        Map<String, Deployment> deployments = new HashMap<>();
        context.getSecondaryResources(Deployment.class).forEach(d -> deployments.put(
                d.getMetadata().getLabels().get(Labels.VERSION), d));
        Map<String, List<Pod>> pods = new HashMap<>();
        context.getSecondaryResources(Pod.class).forEach(p -> pods.computeIfAbsent(
                p.getMetadata().getLabels().get(Labels.VERSION), k -> new ArrayList<>()).add(p));
        ExplainableModelStatus status = StatusCalculator.compute(model, deployments, pods,
                Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        announceChanges(model, status);
        model.setStatus(status);
        LOG.debugf("reconciled %s/%s: %s ready", ns, model.getMetadata().getName(), status.getVersionsReady());
        return UpdateControl.patchStatus(model);
    }

    /** Objects of this model that the desired state no longer lists (a removed version, a disabled ingress). */
    private void deleteStale(ExplainableModel model, List<HasMetadata> desired) {
        String ns = model.getMetadata().getNamespace();
        String selector = model.getMetadata().getName();
        Set<String> keep = new HashSet<>();
        desired.forEach(o -> keep.add(o.getKind() + "/" + o.getMetadata().getName()));
        List<HasMetadata> existing = new ArrayList<>();
        existing.addAll(client.apps().deployments().inNamespace(ns).withLabel(Labels.MODEL, selector).list().getItems());
        existing.addAll(client.services().inNamespace(ns).withLabel(Labels.MODEL, selector).list().getItems());
        existing.addAll(client.configMaps().inNamespace(ns).withLabel(Labels.MODEL, selector).list().getItems());
        // a version that drops to one replica loses its PodDisruptionBudget too
        existing.addAll(client.policy().v1().podDisruptionBudget().inNamespace(ns).withLabel(Labels.MODEL, selector)
                .list().getItems());
        // listed even when ingresses are off: turning them off must remove the ones made before
        existing.addAll(client.network().v1().ingresses().inNamespace(ns).withLabel(Labels.MODEL, selector).list()
                .getItems());
        for (HasMetadata o : existing) {
            boolean ours = o.getMetadata().getOwnerReferences().stream()
                    .anyMatch(r -> r.getUid().equals(model.getMetadata().getUid()));
            if (ours && !keep.contains(o.getKind() + "/" + o.getMetadata().getName())) {
                client.resource(o).delete();
                event(model, "Deleted", "Deleted " + o.getKind() + " " + o.getMetadata().getName()
                        + (o.getKind().equals("Ingress") ? " (ingresses are turned off)"
                                : o.getKind().equals("PodDisruptionBudget") ? " (its version was removed or has one replica)"
                                        : " (its version was removed)"));
            }
        }
    }

    private void announceChanges(ExplainableModel model, ExplainableModelStatus next) {
        ExplainableModelStatus prev = model.getStatus();
        if (prev == null) {
            event(model, "Created", "Created objects for versions " + next.getVersions().stream()
                    .map(VersionStatus::getName).toList());
            return;
        }
        for (VersionStatus v : next.getVersions()) {
            prev.getVersions().stream().filter(p -> p.getName().equals(v.getName())).findFirst().ifPresent(p -> {
                if (p.getConfigHash() != null && !p.getConfigHash().equals(v.getConfigHash())) {
                    event(model, "ConfigChanged", "Rolling version " + v.getName()
                            + ": explanation metadata or method changed");
                }
                if (!"Degraded".equals(p.getState()) && "Degraded".equals(v.getState())) {
                    event(model, v.getReason(), "Version " + v.getName() + ": " + v.getMessage());
                }
            });
        }
    }

    private void event(ExplainableModel model, String reason, String message) {
        try {
            String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
            client.v1().events().inNamespace(model.getMetadata().getNamespace()).resource(new EventBuilder()
                    .withNewMetadata().withGenerateName(model.getMetadata().getName() + "-").endMetadata()
                    .withNewInvolvedObject().withApiVersion(model.getApiVersion()).withKind(model.getKind())
                    .withName(model.getMetadata().getName()).withNamespace(model.getMetadata().getNamespace())
                    .withUid(model.getMetadata().getUid()).endInvolvedObject()
                    .withReason(reason).withMessage(message).withType(reason.equals("Unschedulable")
                            || reason.equals("ModelLoadFailed") || reason.equals(PolicyViolationStatus.REASON)
                            ? "Warning" : "Normal")
                    .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
                    .withNewSource().withComponent(Labels.OPERATOR).endSource().build()).create();
        } catch (RuntimeException e) {
            LOG.debugf("could not record event %s: %s", reason, e.getMessage());
        }
    }

}
