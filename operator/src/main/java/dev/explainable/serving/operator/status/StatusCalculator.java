package dev.explainable.serving.operator.status;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.ExplainableModelStatus;
import dev.explainable.serving.operator.api.VersionSpec;
import dev.explainable.serving.operator.api.VersionStatus;
import dev.explainable.serving.operator.dependent.DesiredState;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.apps.Deployment;

/**
 * Status from what the cluster reports: pure, so that every reason (Unschedulable, ModelLoadFailed, rolling
 * out) is unit-tested. Conditions keep their lastTransitionTime while their status does not change.
 */
public final class StatusCalculator {

    public static final String AVAILABLE = "Available";
    public static final String PROGRESSING = "Progressing";
    public static final String DEGRADED = "Degraded";

    private StatusCalculator() {
    }

    public static ExplainableModelStatus compute(ExplainableModel m, Map<String, Deployment> deployments,
            Map<String, List<Pod>> pods, String now) {
        ExplainableModelStatus previous = m.getStatus();
        List<Condition> old = previous == null ? List.of() : previous.getConditions();
        ExplainableModelStatus s = new ExplainableModelStatus();
        s.setObservedGeneration(m.getMetadata().getGeneration());
        int ready = 0;
        List<Condition> conditions = new ArrayList<>();
        for (VersionSpec v : m.getSpec().getVersions()) {
            VersionStatus vs = version(m, v, deployments.get(v.getName()), pods.getOrDefault(v.getName(), List.of()));
            s.getVersions().add(vs);
            if (AVAILABLE.equals(vs.getState())) {
                ready++;
            }
            for (String type : List.of(AVAILABLE, PROGRESSING, DEGRADED)) {
                boolean on = type.equals(vs.getState());
                conditions.add(condition(old, type + "-" + v.getName(), on, on ? vs.getReason() : "Not" + type,
                        on ? vs.getMessage() : "", m.getMetadata().getGeneration(), now));
            }
        }
        int total = m.getSpec().getVersions().size();
        VersionStatus def = s.getVersions().stream().filter(v -> v.getName().equals(m.getSpec().getDefaultVersion()))
                .findFirst().orElse(null);
        boolean allReady = ready == total;
        String message = allReady ? "all " + total + " versions available"
                : (total - ready) + " of " + total + " versions not available: " + s.getVersions().stream()
                        .filter(v -> !AVAILABLE.equals(v.getState()))
                        .map(v -> v.getName() + " " + v.getReason()).toList();
        conditions.add(0, condition(old, "Ready", allReady, allReady ? "AllVersionsAvailable" : "VersionsNotAvailable",
                message, m.getMetadata().getGeneration(), now));
        s.setConditions(conditions);
        s.setVersionsReady(ready + "/" + total);
        if (def != null) {
            s.setUrl(url(m, null, "explain"));
        }
        return s;
    }

    static String url(ExplainableModel m, String version, String verb) {
        String host = (version == null ? m.getMetadata().getName() : DesiredState.versionName(m, version)) + "."
                + m.getMetadata().getNamespace() + ".svc";
        return "http://" + host + DesiredState.path(m, version, verb);
    }

    static VersionStatus version(ExplainableModel m, VersionSpec v, Deployment d, List<Pod> pods) {
        VersionStatus vs = new VersionStatus(v.getName());
        vs.setExplainUrl(url(m, v.getName(), "explain"));
        vs.setPredictUrl(url(m, v.getName(), "predict"));
        vs.setConfigHash(DesiredState.configHash(m, v));
        int desired = v.getReplicas() == null ? 1 : v.getReplicas();
        vs.setReplicas(desired);
        if (d == null) {
            vs.setReadyReplicas(0);
            return state(vs, PROGRESSING, "Creating", "the Deployment is being created");
        }
        int ready = d.getStatus() == null || d.getStatus().getReadyReplicas() == null ? 0 : d.getStatus().getReadyReplicas();
        int updated = d.getStatus() == null || d.getStatus().getUpdatedReplicas() == null ? 0
                : d.getStatus().getUpdatedReplicas();
        vs.setReadyReplicas(ready);
        for (Pod p : pods) {
            if (p.getMetadata().getDeletionTimestamp() != null || p.getStatus() == null) {
                continue;
            }
            for (PodCondition c : nullSafe(p.getStatus().getConditions())) {
                if ("PodScheduled".equals(c.getType()) && "False".equals(c.getStatus())
                        && "Unschedulable".equals(c.getReason())) {
                    return state(vs, DEGRADED, "Unschedulable", c.getMessage());
                }
            }
            for (ContainerStatus cs : nullSafe(p.getStatus().getContainerStatuses())) {
                var waiting = cs.getState() == null ? null : cs.getState().getWaiting();
                var last = cs.getLastState() == null ? null : cs.getLastState().getTerminated();
                if ("runtime".equals(cs.getName()) && last != null && !Objects.equals(last.getExitCode(), 0)
                        && (waiting != null || cs.getRestartCount() != null && cs.getRestartCount() > 0)) {
                    String msg = last.getMessage() != null && !last.getMessage().isBlank() ? last.getMessage().trim()
                            : "runtime exited with code " + last.getExitCode();
                    return state(vs, DEGRADED, "ModelLoadFailed", msg);
                }
                if (waiting != null && ("ImagePullBackOff".equals(waiting.getReason())
                        || "ErrImagePull".equals(waiting.getReason()))) {
                    return state(vs, DEGRADED, waiting.getReason(), waiting.getMessage());
                }
            }
        }
        boolean current = d.getStatus() != null && d.getStatus().getObservedGeneration() != null
                && d.getStatus().getObservedGeneration() >= d.getMetadata().getGeneration();
        if (current && ready >= desired && updated >= desired) {
            return state(vs, AVAILABLE, "MinimumReplicasAvailable", ready + "/" + desired + " replicas ready");
        }
        return state(vs, PROGRESSING, updated < desired ? "RollingOut" : "Starting",
                ready + "/" + desired + " replicas ready, " + updated + " updated");
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

    static Condition condition(List<Condition> old, String type, boolean on, String reason, String message,
            Long generation, String now) {
        String status = on ? "True" : "False";
        String since = old.stream().filter(c -> type.equals(c.getType()) && status.equals(c.getStatus()))
                .map(Condition::getLastTransitionTime).filter(Objects::nonNull).findFirst().orElse(now);
        return new ConditionBuilder().withType(type).withStatus(status).withReason(reason)
                .withMessage(message == null ? "" : message).withObservedGeneration(generation)
                .withLastTransitionTime(since).build();
    }
}
