package dev.explainable.serving.operator.status;

import static dev.explainable.serving.operator.status.ModelConditions.Type.AVAILABLE;
import static dev.explainable.serving.operator.status.ModelConditions.Type.DEGRADED;
import static dev.explainable.serving.operator.status.ModelConditions.Type.PROGRESSING;
import static dev.explainable.serving.operator.status.ModelConditions.Type.READY;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;

import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.ExplainableModelStatus;
import dev.explainable.serving.operator.api.MonitoringStatus;
import dev.explainable.serving.operator.api.VersionSpec;
import dev.explainable.serving.operator.api.VersionStatus;
import dev.explainable.serving.operator.dependent.AppliedHash;
import dev.explainable.serving.operator.dependent.VersionConfig;
import dev.explainable.serving.operator.monitoring.VersionAlerts;

/**
 * Status from what the cluster reports: pure, so that every reason is unit-tested. Each version's state comes from
 * {@link VersionStates} (its Deployment, and its pods through {@link PodFailures}) and, when it is autoscaled, from
 * {@link AutoscalerStates}; the model's conditions aggregate them ({@link ModelConditions}).
 *
 * <p>The model carries a fixed set of condition types, as Kubernetes conventions ask: {@code Ready} (every version
 * serves its current configuration), {@code Available} (the default version has a ready pod, of any configuration),
 * {@code Progressing} (some version is rolling out) and {@code Degraded} (some version fails now, or the API server
 * refused what the operator applied). Per-version state sits in {@code status.versions[]}. A model without versions
 * is not Ready ({@link Reason#NO_VERSIONS}): "every version serves" would be true of none, and say nothing.
 */
public final class StatusCalculator {

    private StatusCalculator() {}

    /**
     * @param configs per version, its configuration (for its configHash)
     * @param appliedHashes per version, the {@link AppliedHash} of the Deployment the operator wants: a cached
     *        Deployment with another hash predates the last apply, so it says nothing about the current configuration
     * @param autoscalers per version, its HorizontalPodAutoscaler as cached (autoscaled versions only)
     */
    public static ExplainableModelStatus compute(
            ExplainableModel m,
            Map<String, VersionConfig> configs,
            Map<String, String> appliedHashes,
            Map<String, Deployment> deployments,
            Map<String, List<Pod>> pods,
            Map<String, HorizontalPodAutoscaler> autoscalers,
            String now) {
        return compute(m, configs, appliedHashes, deployments, pods, autoscalers, Map.of(), now);
    }

    /**
     * As above, with each monitored version's attribution alerts as last read from its pods ({@link
     * MonitoringStates}).
     */
    public static ExplainableModelStatus compute(
            ExplainableModel m,
            Map<String, VersionConfig> configs,
            Map<String, String> appliedHashes,
            Map<String, Deployment> deployments,
            Map<String, List<Pod>> pods,
            Map<String, HorizontalPodAutoscaler> autoscalers,
            Map<String, VersionAlerts> alerts,
            String now) {
        ExplainableModelStatus s = new ExplainableModelStatus();
        s.setObservedGeneration(m.getMetadata().getGeneration());
        for (VersionSpec v : m.getSpec().getVersions()) {
            VersionStatus vs = VersionStates.of(
                    m,
                    v,
                    configs.get(v.getName()),
                    appliedHashes.get(v.getName()),
                    deployments.get(v.getName()),
                    pods.getOrDefault(v.getName(), List.of()));
            if (v.getAutoscaling() != null) {
                vs.setAutoscaling(AutoscalerStates.of(v.getAutoscaling(), autoscalers.get(v.getName())));
            }
            vs.setMonitoring(MonitoringStates.of(v, previousMonitoring(m, v.getName()), alerts.get(v.getName()), now));
            s.getVersions().add(vs);
        }
        int total = s.getVersions().size();
        List<VersionStatus> notAvailable = s.getVersions().stream()
                .filter(v -> !VersionState.AVAILABLE.of(v))
                .toList();
        List<VersionStatus> degraded =
                s.getVersions().stream().filter(VersionState.DEGRADED::of).toList();
        List<VersionStatus> progressing =
                s.getVersions().stream().filter(VersionState.PROGRESSING::of).toList();
        VersionStatus def = s.getVersions().stream()
                .filter(v -> v.getName().equals(m.getSpec().getDefaultVersion()))
                .findFirst()
                .orElse(null);
        boolean serving = def != null && def.getReadyReplicas() != null && def.getReadyReplicas() > 0;

        ModelConditions conditions = new ModelConditions(m, now);
        if (total == 0) {
            return noVersions(m, s, conditions);
        }
        if (notAvailable.isEmpty()) {
            conditions.set(READY, true, Reason.ALL_VERSIONS_AVAILABLE.value(), "all " + total + " versions available");
        } else {
            conditions.set(
                    READY,
                    false,
                    Reason.VERSIONS_NOT_AVAILABLE.value(),
                    notAvailable.size() + " of " + total + " versions not available: " + summary(notAvailable, false));
        }
        if (serving) {
            conditions.set(
                    AVAILABLE,
                    true,
                    Reason.DEFAULT_VERSION_SERVING.value(),
                    "default version " + def.getName() + " has " + def.getReadyReplicas() + " ready replicas");
        } else {
            conditions.set(
                    AVAILABLE,
                    false,
                    Reason.DEFAULT_VERSION_NOT_SERVING.value(),
                    "default version " + m.getSpec().getDefaultVersion() + " has no ready replica");
        }
        // a rolling or failing version's own reason names the condition
        if (progressing.isEmpty()) {
            conditions.set(PROGRESSING, false, Reason.NO_ROLLOUT_IN_PROGRESS.value(), "");
        } else {
            conditions.set(PROGRESSING, true, progressing.get(0).getReason(), summary(progressing, true));
        }
        if (degraded.isEmpty()) {
            conditions.set(DEGRADED, false, Reason.AS_EXPECTED.value(), "");
        } else {
            conditions.set(DEGRADED, true, degraded.get(0).getReason(), summary(degraded, true));
        }
        s.setConditions(conditions.build());
        s.setVersionsReady((total - notAvailable.size()) + "/" + total);
        if (def != null) {
            s.setUrl(VersionStates.url(m, null, "explain"));
        }
        return s;
    }

    /**
     * A model without versions serves nothing, which is what its spec asks for: Ready and Available False with
     * {@link Reason#NO_VERSIONS} and what to do, neither progressing nor degraded; {@code 0/0} versions ready and no
     * URL.
     */
    private static ExplainableModelStatus noVersions(
            ExplainableModel m, ExplainableModelStatus s, ModelConditions conditions) {
        String message = "the model has no versions yet: add one to spec.versions and name it in spec.defaultVersion";
        conditions
                .set(READY, false, Reason.NO_VERSIONS.value(), message)
                .set(
                        AVAILABLE,
                        false,
                        Reason.NO_VERSIONS.value(),
                        "no version serves models/" + m.getMetadata().getName() + ":explain: the model has no versions"
                                + " yet")
                .set(PROGRESSING, false, Reason.NO_ROLLOUT_IN_PROGRESS.value(), "")
                .set(DEGRADED, false, Reason.AS_EXPECTED.value(), "");
        s.setConditions(conditions.build());
        s.setVersionsReady("0/0");
        return s;
    }

    /**
     * The status after the API server refused an object the operator applied: as {@link #refused} with
     * {@link Reason#APPLY_FAILED} and the server's message.
     */
    public static ExplainableModelStatus applyFailed(ExplainableModel m, String message, String now) {
        return refused(m, Reason.APPLY_FAILED, message, now);
    }

    /**
     * The status of a model the operator could not apply (the API server refused an object, or the operator's policy
     * refused the model): the previous per-version state, versions-ready count and URL stay (nothing changed in the
     * cluster), Ready and Progressing turn False and Degraded True with {@code reason} and {@code message}, and
     * whether the default version serves stays what was known.
     */
    public static ExplainableModelStatus refused(ExplainableModel m, Reason reason, String message, String now) {
        ExplainableModelStatus s = new ExplainableModelStatus();
        s.setObservedGeneration(m.getMetadata().getGeneration());
        if (m.getStatus() != null) {
            s.setVersions(m.getStatus().getVersions());
            s.setVersionsReady(m.getStatus().getVersionsReady());
            s.setUrl(m.getStatus().getUrl());
        }
        s.setConditions(new ModelConditions(m, now)
                .set(READY, false, reason.value(), message)
                .keep(AVAILABLE, reason.value(), message)
                .set(PROGRESSING, false, reason.value(), message)
                .set(DEGRADED, true, reason.value(), message)
                .build());
        return s;
    }

    private static MonitoringStatus previousMonitoring(ExplainableModel m, String version) {
        if (m.getStatus() == null) {
            return null;
        }
        return m.getStatus().getVersions().stream()
                .filter(v -> version.equals(v.getName()))
                .map(VersionStatus::getMonitoring)
                .filter(java.util.Objects::nonNull)
                .findFirst()
                .orElse(null);
    }

    private static String summary(List<VersionStatus> versions, boolean withMessage) {
        List<String> parts = new ArrayList<>();
        for (VersionStatus v : versions) {
            parts.add(v.getName() + " " + v.getReason()
                    + (withMessage && v.getMessage() != null && !v.getMessage().isBlank()
                            ? ": " + v.getMessage()
                            : ""));
        }
        return String.join("; ", parts);
    }
}
