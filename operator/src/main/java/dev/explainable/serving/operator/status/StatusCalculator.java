package dev.explainable.serving.operator.status;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerCondition;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerStatus;

import dev.explainable.serving.operator.api.AutoscalingSpec;
import dev.explainable.serving.operator.api.AutoscalingStatus;
import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.ExplainableModelStatus;
import dev.explainable.serving.operator.api.VersionSpec;
import dev.explainable.serving.operator.api.VersionStatus;
import dev.explainable.serving.operator.dependent.AppliedHash;
import dev.explainable.serving.operator.dependent.DesiredConfigMap;
import dev.explainable.serving.operator.dependent.DesiredState;

/**
 * Status from what the cluster reports: pure, so that every reason is unit-tested.
 *
 * <p>The model carries a fixed set of condition types, as Kubernetes conventions ask: {@code Ready} (every version
 * serves its current configuration), {@code Available} (the default version has a ready pod, of any configuration),
 * {@code Progressing} (some version is rolling out) and {@code Degraded} (some version fails now, or the API server
 * refused what the operator applied). Per-version state sits in {@code status.versions[]}. Conditions keep their
 * lastTransitionTime while their status does not change.
 */
public final class StatusCalculator {

    /** Condition types on the model. */
    public static final String READY = "Ready";

    public static final String AVAILABLE = "Available";
    public static final String PROGRESSING = "Progressing";
    public static final String DEGRADED = "Degraded";
    public static final List<String> CONDITION_TYPES = List.of(READY, AVAILABLE, PROGRESSING, DEGRADED);

    /** Waiting reasons of a container that will not start without a change (kubelet's names, passed on). */
    static final Set<String> STUCK_WAITING = Set.of(
            "ImagePullBackOff",
            "ErrImagePull",
            "InvalidImageName",
            "CreateContainerConfigError",
            "CreateContainerError");

    static final String RUNTIME_CONTAINER = "runtime";

    private StatusCalculator() {}

    /** As {@link #compute(ExplainableModel, Map, Map, Map, Map, String)} for a model without autoscalers. */
    public static ExplainableModelStatus compute(
            ExplainableModel m,
            Map<String, String> appliedHashes,
            Map<String, Deployment> deployments,
            Map<String, List<Pod>> pods,
            String now) {
        return compute(m, appliedHashes, deployments, pods, Map.of(), now);
    }

    /**
     * @param appliedHashes per version, the {@link AppliedHash} of the Deployment the operator wants: a cached
     *        Deployment with another hash predates the last apply, so it says nothing about the current configuration
     * @param autoscalers per version, its HorizontalPodAutoscaler as cached (autoscaled versions only)
     */
    public static ExplainableModelStatus compute(
            ExplainableModel m,
            Map<String, String> appliedHashes,
            Map<String, Deployment> deployments,
            Map<String, List<Pod>> pods,
            Map<String, HorizontalPodAutoscaler> autoscalers,
            String now) {
        List<Condition> old = previousConditions(m);
        Long generation = m.getMetadata().getGeneration();
        ExplainableModelStatus s = new ExplainableModelStatus();
        s.setObservedGeneration(generation);
        for (VersionSpec v : m.getSpec().getVersions()) {
            VersionStatus vs = version(
                    m,
                    v,
                    appliedHashes.get(v.getName()),
                    deployments.get(v.getName()),
                    pods.getOrDefault(v.getName(), List.of()));
            if (v.getAutoscaling() != null) {
                vs.setAutoscaling(autoscaling(v.getAutoscaling(), autoscalers.get(v.getName())));
            }
            s.getVersions().add(vs);
        }
        int total = s.getVersions().size();
        List<VersionStatus> notAvailable = s.getVersions().stream()
                .filter(v -> !AVAILABLE.equals(v.getState()))
                .toList();
        List<VersionStatus> degraded = s.getVersions().stream()
                .filter(v -> DEGRADED.equals(v.getState()))
                .toList();
        List<VersionStatus> progressing = s.getVersions().stream()
                .filter(v -> PROGRESSING.equals(v.getState()))
                .toList();
        int ready = total - notAvailable.size();

        List<Condition> conditions = new ArrayList<>();
        conditions.add(
                notAvailable.isEmpty()
                        ? condition(
                                old,
                                READY,
                                true,
                                Reason.ALL_VERSIONS_AVAILABLE.value(),
                                "all " + total + " versions available",
                                generation,
                                now)
                        : condition(
                                old,
                                READY,
                                false,
                                Reason.VERSIONS_NOT_AVAILABLE.value(),
                                notAvailable.size() + " of " + total + " versions not available: "
                                        + summary(notAvailable, false),
                                generation,
                                now));
        VersionStatus def = s.getVersions().stream()
                .filter(v -> v.getName().equals(m.getSpec().getDefaultVersion()))
                .findFirst()
                .orElse(null);
        boolean serving = def != null && def.getReadyReplicas() != null && def.getReadyReplicas() > 0;
        conditions.add(
                serving
                        ? condition(
                                old,
                                AVAILABLE,
                                true,
                                Reason.DEFAULT_VERSION_SERVING.value(),
                                "default version " + def.getName() + " has " + def.getReadyReplicas()
                                        + " ready replicas",
                                generation,
                                now)
                        : condition(
                                old,
                                AVAILABLE,
                                false,
                                Reason.DEFAULT_VERSION_NOT_SERVING.value(),
                                "default version " + m.getSpec().getDefaultVersion() + " has no ready replica",
                                generation,
                                now));
        // a rolling or failing version's own reason names the condition
        conditions.add(
                progressing.isEmpty()
                        ? condition(old, PROGRESSING, false, Reason.NO_ROLLOUT_IN_PROGRESS.value(), "", generation, now)
                        : condition(
                                old,
                                PROGRESSING,
                                true,
                                progressing.get(0).getReason(),
                                summary(progressing, true),
                                generation,
                                now));
        conditions.add(
                degraded.isEmpty()
                        ? condition(old, DEGRADED, false, Reason.AS_EXPECTED.value(), "", generation, now)
                        : condition(
                                old,
                                DEGRADED,
                                true,
                                degraded.get(0).getReason(),
                                summary(degraded, true),
                                generation,
                                now));
        s.setConditions(conditions);
        s.setVersionsReady(ready + "/" + total);
        if (def != null) {
            s.setUrl(url(m, null, "explain"));
        }
        return s;
    }

    /**
     * The status after the API server refused an object the operator applied: the previous per-version state stays
     * (nothing changed in the cluster), Ready turns False and Degraded True with the server's message.
     */
    public static ExplainableModelStatus applyFailed(ExplainableModel m, String message, String now) {
        List<Condition> old = previousConditions(m);
        Long generation = m.getMetadata().getGeneration();
        ExplainableModelStatus s = new ExplainableModelStatus();
        s.setObservedGeneration(generation);
        if (m.getStatus() != null) {
            s.setVersions(m.getStatus().getVersions());
            s.setVersionsReady(m.getStatus().getVersionsReady());
            s.setUrl(m.getStatus().getUrl());
        }
        String reason = Reason.APPLY_FAILED.value();
        List<Condition> conditions = new ArrayList<>();
        conditions.add(condition(old, READY, false, reason, message, generation, now));
        // whether the default version serves did not change: keep what was known
        conditions.add(old.stream()
                .filter(c -> AVAILABLE.equals(c.getType()))
                .findFirst()
                .orElseGet(() -> condition(old, AVAILABLE, false, reason, message, generation, now)));
        conditions.add(condition(old, PROGRESSING, false, reason, message, generation, now));
        conditions.add(condition(old, DEGRADED, true, reason, message, generation, now));
        s.setConditions(conditions);
        return s;
    }

    private static List<Condition> previousConditions(ExplainableModel m) {
        return m.getStatus() == null ? List.of() : m.getStatus().getConditions();
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

    static String url(ExplainableModel m, String version, String verb) {
        String host = (version == null ? m.getMetadata().getName() : DesiredState.versionName(m, version)) + "."
                + m.getMetadata().getNamespace() + ".svc";
        return "http://" + host + DesiredState.path(m, version, verb);
    }

    static VersionStatus version(ExplainableModel m, VersionSpec v, String appliedHash, Deployment d, List<Pod> pods) {
        VersionStatus vs = new VersionStatus(v.getName());
        vs.setExplainUrl(url(m, v.getName(), "explain"));
        vs.setPredictUrl(url(m, v.getName(), "predict"));
        vs.setConfigHash(DesiredConfigMap.configHash(m, v));
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
            return state(vs, PROGRESSING, Reason.CREATING.value(), "the Deployment is being created");
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
            return state(vs, PROGRESSING, Reason.ROLLING_OUT.value(), "the Deployment is being updated");
        }

        String failure = null;
        for (Pod p : pods) {
            if (p.getMetadata().getDeletionTimestamp() != null || p.getStatus() == null) {
                continue;
            }
            VersionStatus failed = podFailure(vs, p);
            if (failed != null) {
                return failed;
            }
        }
        // the deployment controller copies the ReplicaSet's FailedCreate (quota, Pod Security admission) here
        DeploymentCondition replicaFailure = deploymentCondition(d, "ReplicaFailure", "True");
        if (replicaFailure != null) {
            return state(
                    vs,
                    DEGRADED,
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
                    AVAILABLE,
                    Reason.MINIMUM_REPLICAS_AVAILABLE.value(),
                    ready + "/" + desired + " replicas ready");
        }
        DeploymentCondition deadline = deploymentCondition(d, "Progressing", "False");
        if (observed
                && deadline != null
                && Reason.PROGRESS_DEADLINE_EXCEEDED.value().equals(deadline.getReason())) {
            return state(vs, DEGRADED, Reason.PROGRESS_DEADLINE_EXCEEDED.value(), deadline.getMessage());
        }
        if (!observed || updated < needed) {
            return state(vs, PROGRESSING, Reason.ROLLING_OUT.value(), updated + " of " + desired + " replicas updated");
        }
        if (replicas > updated) {
            return state(
                    vs,
                    PROGRESSING,
                    Reason.ROLLING_OUT.value(),
                    (replicas - updated) + " old replicas pending termination");
        }
        return state(
                vs,
                PROGRESSING,
                Reason.STARTING.value(),
                Math.min(ready, available) + " of " + desired + " updated replicas ready");
    }

    /** The HorizontalPodAutoscaler's conditions whose failure reasons are metrics it could not read. */
    static final Set<String> METRIC_FAILURES = Set.of(
            "FailedGetResourceMetric",
            "FailedGetContainerResourceMetric",
            "FailedGetPodsMetric",
            "FailedGetObjectMetric",
            "FailedGetExternalMetric");

    /** {@link AutoscalingStatus#getState()}'s values. */
    public static final String SCALING_ACTIVE = "Active";

    public static final String SCALING_LIMITED = "Limited";
    public static final String SCALING_INACTIVE = "Inactive";
    public static final String SCALING_PENDING = "Pending";

    /**
     * An autoscaled version's autoscaler as it reports itself: its counts, and from its conditions whether it can
     * scale. A condition that stops it (AbleToScale or ScalingActive False) comes first, with the autoscaler's own
     * reason, except that metrics it cannot read are {@link Reason#METRICS_UNAVAILABLE} with what provides them.
     */
    static AutoscalingStatus autoscaling(AutoscalingSpec spec, HorizontalPodAutoscaler hpa) {
        AutoscalingStatus as = new AutoscalingStatus();
        as.setMinReplicas(spec.min());
        as.setMaxReplicas(spec.max());
        HorizontalPodAutoscalerStatus hs = hpa == null ? null : hpa.getStatus();
        List<HorizontalPodAutoscalerCondition> conditions = hs == null ? List.of() : nullSafe(hs.getConditions());
        if (hs != null) {
            as.setCurrentReplicas(hs.getCurrentReplicas());
            as.setDesiredReplicas(hs.getDesiredReplicas());
            as.setLastScaleTime(hs.getLastScaleTime());
        }
        HorizontalPodAutoscalerCondition able = hpaCondition(conditions, "AbleToScale");
        HorizontalPodAutoscalerCondition active = hpaCondition(conditions, "ScalingActive");
        HorizontalPodAutoscalerCondition limited = hpaCondition(conditions, "ScalingLimited");
        if (able != null && "False".equals(able.getStatus())) {
            return scaling(as, SCALING_INACTIVE, able.getReason(), able.getMessage());
        }
        if (active != null && "False".equals(active.getStatus())) {
            if (METRIC_FAILURES.contains(active.getReason())) {
                return scaling(
                        as,
                        SCALING_INACTIVE,
                        Reason.METRICS_UNAVAILABLE.value(),
                        active.getMessage() + " (" + metricsHint(spec, active) + ")");
            }
            return scaling(as, SCALING_INACTIVE, active.getReason(), active.getMessage());
        }
        if (active == null) {
            return scaling(
                    as,
                    SCALING_PENDING,
                    Reason.AUTOSCALER_PENDING.value(),
                    hpa == null
                            ? "the HorizontalPodAutoscaler is being created"
                            : "the HorizontalPodAutoscaler has not reported yet");
        }
        if (limited != null && "True".equals(limited.getStatus())) {
            return scaling(as, SCALING_LIMITED, limited.getReason(), limited.getMessage());
        }
        return scaling(as, SCALING_ACTIVE, active.getReason(), active.getMessage());
    }

    /** What provides the metric the autoscaler could not read. */
    private static String metricsHint(AutoscalingSpec spec, HorizontalPodAutoscalerCondition failed) {
        String message = failed.getMessage() == null ? "" : failed.getMessage();
        if (message.contains("missing request for cpu")) {
            return "the runtime container needs a CPU request: resources.cpu, or the operator's default-cpu";
        }
        if (spec.getTargetCPUUtilizationPercentage() != null) {
            return "CPU targets need the resource metrics API, metrics.k8s.io: install metrics-server";
        }
        return "targetInFlightPerPod needs the custom metrics API, custom.metrics.k8s.io, serving the runtime's"
                + " explanations in flight: scrape the runtime pods and add the Prometheus Adapter rule of"
                + " docs/operations.md#autoscaling";
    }

    private static HorizontalPodAutoscalerCondition hpaCondition(
            List<HorizontalPodAutoscalerCondition> conditions, String type) {
        return conditions.stream()
                .filter(c -> type.equals(c.getType()))
                .findFirst()
                .orElse(null);
    }

    private static AutoscalingStatus scaling(AutoscalingStatus as, String state, String reason, String message) {
        as.setState(state);
        as.setReason(reason);
        as.setMessage(message == null ? "" : message);
        return as;
    }

    /** What makes this pod fail now, or null: a pod that restarted once and runs again is fine. */
    static VersionStatus podFailure(VersionStatus vs, Pod p) {
        for (PodCondition c : nullSafe(p.getStatus().getConditions())) {
            if ("PodScheduled".equals(c.getType())
                    && "False".equals(c.getStatus())
                    && Reason.UNSCHEDULABLE.value().equals(c.getReason())) {
                return state(vs, DEGRADED, Reason.UNSCHEDULABLE.value(), c.getMessage());
            }
        }
        for (ContainerStatus cs : nullSafe(p.getStatus().getInitContainerStatuses())) {
            ContainerStateWaiting waiting =
                    cs.getState() == null ? null : cs.getState().getWaiting();
            ContainerStateTerminated terminated =
                    cs.getState() == null ? null : cs.getState().getTerminated();
            if (waiting != null && STUCK_WAITING.contains(waiting.getReason())) {
                return state(vs, DEGRADED, waiting.getReason(), cs.getName() + ": " + waiting.getMessage());
            }
            ContainerStateTerminated last =
                    cs.getLastState() == null ? null : cs.getLastState().getTerminated();
            if (terminated != null && nonZero(terminated)) {
                return state(vs, DEGRADED, Reason.MODEL_FETCH_FAILED.value(), exitMessage(cs.getName(), terminated));
            }
            if (waiting != null && last != null && nonZero(last)) {
                return state(vs, DEGRADED, Reason.MODEL_FETCH_FAILED.value(), exitMessage(cs.getName(), last));
            }
        }
        for (ContainerStatus cs : nullSafe(p.getStatus().getContainerStatuses())) {
            ContainerStateWaiting waiting =
                    cs.getState() == null ? null : cs.getState().getWaiting();
            ContainerStateTerminated terminated =
                    cs.getState() == null ? null : cs.getState().getTerminated();
            ContainerStateTerminated last =
                    cs.getLastState() == null ? null : cs.getLastState().getTerminated();
            if (waiting != null && STUCK_WAITING.contains(waiting.getReason())) {
                return state(vs, DEGRADED, waiting.getReason(), waiting.getMessage());
            }
            if (!RUNTIME_CONTAINER.equals(cs.getName())) {
                continue;
            }
            // failing now: exited and not running again yet, or waiting to restart after exiting
            if (terminated != null && nonZero(terminated)) {
                return state(vs, DEGRADED, Reason.MODEL_LOAD_FAILED.value(), exitMessage("runtime", terminated));
            }
            if (waiting != null && "CrashLoopBackOff".equals(waiting.getReason()) && last != null) {
                return state(vs, DEGRADED, Reason.MODEL_LOAD_FAILED.value(), exitMessage("runtime", last));
            }
        }
        return null;
    }

    private static boolean nonZero(ContainerStateTerminated t) {
        return !Objects.equals(t.getExitCode(), 0);
    }

    /** The container's termination message (the runtime's last log lines), else its exit code and reason. */
    private static String exitMessage(String container, ContainerStateTerminated t) {
        if (t.getMessage() != null && !t.getMessage().isBlank()) {
            return t.getMessage().trim();
        }
        return container + " exited with code " + t.getExitCode()
                + (t.getReason() == null ? "" : " (" + t.getReason() + ")");
    }

    private static DeploymentCondition deploymentCondition(Deployment d, String type, String status) {
        Predicate<DeploymentCondition> match = c -> type.equals(c.getType()) && status.equals(c.getStatus());
        return d.getStatus() == null
                ? null
                : nullSafe(d.getStatus().getConditions()).stream()
                        .filter(match)
                        .findFirst()
                        .orElse(null);
    }

    private static int orZero(Integer i) {
        return i == null ? 0 : i;
    }

    private static String orDefault(String s, String fallback) {
        return s == null || s.isBlank() ? fallback : s;
    }

    private static <T> List<T> nullSafe(List<T> l) {
        return l == null ? List.of() : l;
    }

    private static VersionStatus state(VersionStatus vs, String state, String reason, String message) {
        vs.setState(state);
        vs.setReason(reason);
        vs.setMessage(message);
        return vs;
    }

    /** A condition that keeps its lastTransitionTime while its status stays the same (Kubernetes convention). */
    public static Condition condition(
            List<Condition> old, String type, boolean on, String reason, String message, Long generation, String now) {
        String status = on ? "True" : "False";
        String since = old.stream()
                .filter(c -> type.equals(c.getType()) && status.equals(c.getStatus()))
                .map(Condition::getLastTransitionTime)
                .filter(Objects::nonNull)
                .findFirst()
                .orElse(now);
        return new ConditionBuilder()
                .withType(type)
                .withStatus(status)
                .withReason(reason)
                .withMessage(message == null ? "" : message)
                .withObservedGeneration(generation)
                .withLastTransitionTime(since)
                .build();
    }
}
