package dev.explainable.serving.operator.workflow;

import java.util.Map;

import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Context;

import dev.explainable.serving.operator.api.AutoscalingSpec;
import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.VersionSpec;
import dev.explainable.serving.operator.dependent.DesiredDeployment;
import dev.explainable.serving.operator.dependent.Labels;

/**
 * Each version's Deployment ({@link DesiredDeployment}); a removed version's goes.
 *
 * <p>An autoscaled version's replicas are its HorizontalPodAutoscaler's: the Deployment the operator applies leaves
 * them out, so server-side apply never takes them back, and when the operator still owns them (the version was not
 * autoscaled before) {@link #update} first hands them over as Kubernetes documents it. (Removing autoscaling deletes
 * the autoscaler before any Deployment is applied with the spec's replicas again: {@link RemovedAutoscalers}.)
 */
public class Deployments extends VersionObjects<Deployment> {

    /** Holds an autoscaled Deployment's replicas between the operator letting go and the autoscaler's first scale. */
    static final String HANDOVER_MANAGER = Labels.OPERATOR + "-handover";

    public Deployments() {
        super(Deployment.class, "its version was removed");
    }

    @Override
    public Deployment update(
            Deployment actual, Deployment desired, ExplainableModel model, Context<ExplainableModel> context) {
        handOverReplicas(model, desired, actual, context);
        return super.update(actual, desired, model, context);
    }

    /**
     * A Deployment that becomes autoscaled while the operator owns its replicas: applied without them, server-side
     * apply would reset them to the default of 1 (no other manager owns them), dropping pods until the autoscaler
     * raises them again. So first a second field manager applies just the replicas, at the current count within the
     * autoscaler's bounds; it keeps them until the autoscaler's first scale takes them over (the handover Kubernetes'
     * server-side apply documentation describes for HorizontalPodAutoscalers).
     */
    private static void handOverReplicas(
            ExplainableModel model, Deployment desired, Deployment live, Context<ExplainableModel> context) {
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
        context.getClient()
                .resource(new DeploymentBuilder()
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
}
