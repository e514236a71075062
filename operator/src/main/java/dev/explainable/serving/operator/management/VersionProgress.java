package dev.explainable.serving.operator.management;

import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.VersionStatus;
import dev.explainable.serving.operator.status.Reason;
import dev.explainable.serving.operator.status.VersionState;

/**
 * Where a version being deployed stands, as the model's status says it to an operation that waits for it: READY and
 * FAILED only from a status that has seen at least the generation the change made, so an operation is never done on
 * an older status. Unschedulable waits (a cluster autoscaler may add the node), as Google's deployments do. Pure.
 */
public record VersionProgress(State state, String message) {

    public enum State {
        WAITING,
        READY,
        FAILED,
        /** The model or the version is gone. */
        GONE
    }

    /** Version {@code version} of {@code m} (null: deleted) for a change that made generation {@code generation}. */
    public static VersionProgress of(ExplainableModel m, String version, long generation) {
        if (m == null) {
            return new VersionProgress(State.GONE, "the model was deleted");
        }
        if (m.getSpec().getVersions().stream().noneMatch(x -> x.getName().equals(version))) {
            return new VersionProgress(State.GONE, "version " + version + " was deleted");
        }
        boolean seen = m.getStatus() != null
                && m.getStatus().getObservedGeneration() != null
                && m.getStatus().getObservedGeneration() >= generation;
        VersionStatus st = !seen || m.getStatus().getVersions() == null
                ? null
                : m.getStatus().getVersions().stream()
                        .filter(s -> version.equals(s.getName()))
                        .findFirst()
                        .orElse(null);
        if (VersionState.AVAILABLE.of(st)) {
            return new VersionProgress(State.READY, null);
        }
        if (VersionState.DEGRADED.of(st) && !Reason.UNSCHEDULABLE.value().equals(st.getReason())) {
            return new VersionProgress(State.FAILED, st.getReason() + ": " + st.getMessage());
        }
        return new VersionProgress(State.WAITING, null);
    }
}
