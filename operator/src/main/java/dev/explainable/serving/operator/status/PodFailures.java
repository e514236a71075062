package dev.explainable.serving.operator.status;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;

/**
 * What makes a version's pod fail now, in the kubelet's and the scheduler's words: a pod the scheduler cannot place, a
 * container that will not start without a change, a model fetcher that failed, a runtime that exited. A pod that
 * restarted once and runs again is fine.
 */
final class PodFailures {

    /** A failing pod's reason (a {@link Reason}'s value, or the kubelet's) and message. */
    record Failure(String reason, String message) {}

    /** Waiting reasons of a container that will not start without a change (kubelet's names, passed on). */
    static final Set<String> STUCK_WAITING = Set.of(
            "ImagePullBackOff",
            "ErrImagePull",
            "InvalidImageName",
            "CreateContainerConfigError",
            "CreateContainerError");

    static final String RUNTIME_CONTAINER = "runtime";

    private PodFailures() {}

    /** The first failure among the pods that are not being deleted. */
    static Optional<Failure> first(List<Pod> pods) {
        for (Pod p : pods) {
            if (p.getMetadata().getDeletionTimestamp() != null || p.getStatus() == null) {
                continue;
            }
            Optional<Failure> failure = of(p);
            if (failure.isPresent()) {
                return failure;
            }
        }
        return Optional.empty();
    }

    /** What makes this pod (with a status) fail now, if anything. */
    static Optional<Failure> of(Pod p) {
        for (PodCondition c : nullSafe(p.getStatus().getConditions())) {
            if ("PodScheduled".equals(c.getType())
                    && "False".equals(c.getStatus())
                    && Reason.UNSCHEDULABLE.value().equals(c.getReason())) {
                return failure(Reason.UNSCHEDULABLE.value(), c.getMessage());
            }
        }
        for (ContainerStatus cs : nullSafe(p.getStatus().getInitContainerStatuses())) {
            ContainerStateWaiting waiting =
                    cs.getState() == null ? null : cs.getState().getWaiting();
            ContainerStateTerminated terminated =
                    cs.getState() == null ? null : cs.getState().getTerminated();
            if (waiting != null && STUCK_WAITING.contains(waiting.getReason())) {
                return failure(waiting.getReason(), cs.getName() + ": " + waiting.getMessage());
            }
            ContainerStateTerminated last =
                    cs.getLastState() == null ? null : cs.getLastState().getTerminated();
            if (terminated != null && nonZero(terminated)) {
                return failure(Reason.MODEL_FETCH_FAILED.value(), exitMessage(cs.getName(), terminated));
            }
            if (waiting != null && last != null && nonZero(last)) {
                return failure(Reason.MODEL_FETCH_FAILED.value(), exitMessage(cs.getName(), last));
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
                return failure(waiting.getReason(), waiting.getMessage());
            }
            if (!RUNTIME_CONTAINER.equals(cs.getName())) {
                continue;
            }
            // failing now: exited and not running again yet, or waiting to restart after exiting
            if (terminated != null && nonZero(terminated)) {
                return failure(Reason.MODEL_LOAD_FAILED.value(), exitMessage("runtime", terminated));
            }
            if (waiting != null && "CrashLoopBackOff".equals(waiting.getReason()) && last != null) {
                return failure(Reason.MODEL_LOAD_FAILED.value(), exitMessage("runtime", last));
            }
        }
        return Optional.empty();
    }

    private static Optional<Failure> failure(String reason, String message) {
        return Optional.of(new Failure(reason, message));
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

    private static <T> List<T> nullSafe(List<T> l) {
        return l == null ? List.of() : l;
    }
}
