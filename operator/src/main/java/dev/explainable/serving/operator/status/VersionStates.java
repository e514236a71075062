package dev.explainable.serving.operator.status;

import java.util.List;
import java.util.Objects;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;

import dev.explainable.serving.operator.api.AutoscalingSpec;
import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.VersionSpec;
import dev.explainable.serving.operator.api.VersionStatus;
import dev.explainable.serving.operator.dependent.AppliedHash;
import dev.explainable.serving.operator.dependent.DesiredState;
import dev.explainable.serving.operator.dependent.VersionConfig;

/**
 * A version's {@link VersionState} from its Deployment (as the deployment controller reports it) and its pods
 * ({@link PodFailures}): its URLs, replica counts, state, reason and message.
 */
final class VersionStates {

    private VersionStates() {}

    /**
     * @param appliedHash the {@link AppliedHash} of the Deployment the operator wants, or null: a cached Deployment
     *        with another hash predates the last apply, so it says nothing about the current configuration
     * @param d the version's Deployment as cached, or null (not created yet)
     */
    static VersionStatus of(
            ExplainableModel m, VersionSpec v, VersionConfig config, String appliedHash, Deployment d, List<Pod> pods) {
        VersionStatus vs = new VersionStatus(v.getName());
        vs.setExplainUrl(url(m, v.getName(), "explain"));
        vs.setPredictUrl(url(m, v.getName(), "predict"));
        vs.setConfigHash(config.hash());
        AutoscalingSpec autoscaling = v.getAutoscaling();
        // an autoscaled version wants what its autoscaler last set on the Deployment (within its bounds, where the
        // autoscaler takes it next), and serves as asked once minReplicas pods are ready: a scale-up is no rollout
        int desired = autoscaling == null
                ? DesiredState.replicas(v)
                : Math.max(
                        autoscaling.min(),
                        Math.min(
                                autoscaling.max(),
                                d != null && d.getSpec() != null && d.getSpec().getReplicas() != null
                                        ? d.getSpec().getReplicas()
                                        : autoscaling.min()));
        int needed = autoscaling == null ? desired : autoscaling.min();
        vs.setReplicas(desired);
        if (d == null) {
            vs.setReadyReplicas(0);
            vs.setUpdatedReplicas(0);
            return state(vs, VersionState.PROGRESSING, Reason.CREATING.value(), "the Deployment is being created");
        }
        DeploymentStatus ds = d.getStatus() == null ? new DeploymentStatus() : d.getStatus();
        int ready = orZero(ds.getReadyReplicas());
        int available = orZero(ds.getAvailableReplicas());
        int updated = orZero(ds.getUpdatedReplicas());
        int replicas = orZero(ds.getReplicas());
        vs.setReadyReplicas(ready);
        vs.setUpdatedReplicas(updated);
        // an old copy in the cache says nothing about the configuration just applied
        if (appliedHash != null && !appliedHash.equals(AppliedHash.of(d))) {
            return state(vs, VersionState.PROGRESSING, Reason.ROLLING_OUT.value(), "the Deployment is being updated");
        }
        PodFailures.Failure failure = PodFailures.first(pods).orElse(null);
        if (failure != null) {
            return state(vs, VersionState.DEGRADED, failure.reason(), failure.message());
        }
        // the deployment controller copies the ReplicaSet's FailedCreate (quota, Pod Security admission) here
        DeploymentCondition replicaFailure = condition(d, "ReplicaFailure", "True");
        if (replicaFailure != null) {
            return state(
                    vs,
                    VersionState.DEGRADED,
                    orDefault(replicaFailure.getReason(), Reason.FAILED_CREATE.value()),
                    replicaFailure.getMessage());
        }

        // as `kubectl rollout status`: the controller saw this generation, every replica runs the current template
        // (no old pod counted), and they are all ready and available
        boolean observed = ds.getObservedGeneration() != null
                && d.getMetadata().getGeneration() != null
                && ds.getObservedGeneration() >= d.getMetadata().getGeneration();
        if (observed && updated >= needed && replicas == updated && ready >= needed && available >= needed) {
            return state(
                    vs,
                    VersionState.AVAILABLE,
                    Reason.MINIMUM_REPLICAS_AVAILABLE.value(),
                    ready + "/" + desired + " replicas ready");
        }
        DeploymentCondition deadline = condition(d, "Progressing", "False");
        if (observed
                && deadline != null
                && Reason.PROGRESS_DEADLINE_EXCEEDED.value().equals(deadline.getReason())) {
            return state(vs, VersionState.DEGRADED, Reason.PROGRESS_DEADLINE_EXCEEDED.value(), deadline.getMessage());
        }
        if (!observed || updated < needed) {
            return state(
                    vs,
                    VersionState.PROGRESSING,
                    Reason.ROLLING_OUT.value(),
                    updated + " of " + desired + " replicas updated");
        }
        if (replicas > updated) {
            return state(
                    vs,
                    VersionState.PROGRESSING,
                    Reason.ROLLING_OUT.value(),
                    (replicas - updated) + " old replicas pending termination");
        }
        return state(
                vs,
                VersionState.PROGRESSING,
                Reason.STARTING.value(),
                Math.min(ready, available) + " of " + desired + " updated replicas ready");
    }

    /** The URL of the model's ({@code version} null) or a version's Service for {@code verb}. */
    static String url(ExplainableModel m, String version, String verb) {
        String host = (version == null ? m.getMetadata().getName() : DesiredState.versionName(m, version)) + "."
                + m.getMetadata().getNamespace() + ".svc";
        return "http://" + host + DesiredState.path(m, version, verb);
    }

    private static DeploymentCondition condition(Deployment d, String type, String status) {
        if (d.getStatus() == null) {
            return null;
        }
        return Objects.requireNonNullElse(d.getStatus().getConditions(), List.<DeploymentCondition>of()).stream()
                .filter(c -> type.equals(c.getType()) && status.equals(c.getStatus()))
                .findFirst()
                .orElse(null);
    }

    private static VersionStatus state(VersionStatus vs, VersionState state, String reason, String message) {
        vs.setState(state.value());
        vs.setReason(reason);
        vs.setMessage(message);
        return vs;
    }

    private static int orZero(Integer i) {
        return i == null ? 0 : i;
    }

    private static String orDefault(String s, String fallback) {
        return s == null || s.isBlank() ? fallback : s;
    }
}
