package dev.explainable.serving.operator.events;

import java.util.List;
import java.util.Objects;

import io.fabric8.kubernetes.api.model.HasMetadata;

import dev.explainable.serving.operator.api.AttributionCrossing;
import dev.explainable.serving.operator.api.AutoscalingStatus;
import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.ExplainableModelStatus;
import dev.explainable.serving.operator.api.MonitoringStatus;
import dev.explainable.serving.operator.api.VersionStatus;
import dev.explainable.serving.operator.status.AutoscalingState;
import dev.explainable.serving.operator.status.MonitoringStates;
import dev.explainable.serving.operator.status.Reason;
import dev.explainable.serving.operator.status.VersionState;

/**
 * What the operator tells about a model in Events: what it did (created a model's objects, rolled a version, deleted
 * an object no longer wanted) and what went wrong (a refusal, a version failing, an autoscaler that cannot scale).
 * Changes are announced once, when the status first says them, not on every reconcile.
 */
public final class ModelEvents {

    private final EventRecorder events;

    public ModelEvents(EventRecorder events) {
        this.events = events;
    }

    /** The operator's policy refused the model. */
    public void policyViolation(ExplainableModel model, List<String> violations) {
        events.warning(model, Reason.POLICY_VIOLATION, String.join("; ", violations));
    }

    /** The API server refused an object the operator applied. */
    public void applyFailed(ExplainableModel model, String refusal) {
        events.warning(model, Reason.APPLY_FAILED, refusal);
    }

    /** An object no longer wanted was deleted, {@code why} in words. */
    public void deleted(ExplainableModel model, HasMetadata object, String why) {
        events.normal(
                model,
                Reason.DELETED,
                "Deleted " + object.getKind() + " " + object.getMetadata().getName() + " (" + why + ")");
    }

    /** What changed between the model's status and {@code next}: a first status, a roll, a new failure. */
    public void announceChanges(ExplainableModel model, ExplainableModelStatus next) {
        ExplainableModelStatus prev = model.getStatus();
        if (prev == null) {
            events.normal(
                    model,
                    Reason.CREATED,
                    next.getVersions().isEmpty()
                            ? "Created the model's objects; it has no versions yet"
                            : "Created objects for versions "
                                    + next.getVersions().stream()
                                            .map(VersionStatus::getName)
                                            .toList());
            return;
        }
        for (VersionStatus v : next.getVersions()) {
            prev.getVersions().stream()
                    .filter(p -> p.getName().equals(v.getName()))
                    .findFirst()
                    .ifPresent(p -> announceChanges(model, p, v));
        }
    }

    private void announceChanges(ExplainableModel model, VersionStatus before, VersionStatus v) {
        if (before.getConfigHash() != null && !before.getConfigHash().equals(v.getConfigHash())) {
            events.normal(
                    model,
                    Reason.CONFIG_CHANGED,
                    "Rolling version " + v.getName() + ": explanation metadata or method changed");
        }
        boolean newFailure = VersionState.DEGRADED.of(v)
                && !(VersionState.DEGRADED.of(before) && v.getReason().equals(before.getReason()));
        if (newFailure) {
            events.warning(model, v.getReason(), "Version " + v.getName() + ": " + v.getMessage());
        }
        for (AttributionCrossing c : MonitoringStates.newlyCrossed(before.getMonitoring(), v.getMonitoring())) {
            events.warning(
                    model,
                    "skew".equals(c.getKind()) ? Reason.ATTRIBUTION_SKEW : Reason.ATTRIBUTION_DRIFT,
                    "Version " + v.getName() + ": attribution " + c.getKind() + " of "
                            + (c.getFeature().isEmpty() ? "all features" : "feature " + c.getFeature()) + " is "
                            + c.getScore() + ", over its threshold " + c.getThreshold());
        }
        MonitoringStatus monitoring = v.getMonitoring();
        if (monitoring != null
                && MonitoringStates.BASELINE_NOT_READ.equals(monitoring.getBaseline())
                && !Objects.equals(
                        monitoring.getMessage(),
                        before.getMonitoring() == null
                                ? null
                                : before.getMonitoring().getMessage())
                && monitoring.getMessage().contains("could not be read")) {
            events.warning(model, Reason.BASELINE_NOT_READ, "Version " + v.getName() + ": " + monitoring.getMessage());
        }
        AutoscalingStatus scaling = v.getAutoscaling();
        AutoscalingStatus scalingBefore = before.getAutoscaling();
        boolean cannotScale = AutoscalingState.INACTIVE.of(scaling)
                && !(AutoscalingState.INACTIVE.of(scalingBefore)
                        && Objects.equals(scaling.getReason(), scalingBefore.getReason()));
        if (cannotScale) {
            events.warning(
                    model,
                    scaling.getReason() == null ? "AutoscalingInactive" : scaling.getReason(),
                    "Version " + v.getName() + " cannot autoscale: " + scaling.getMessage());
        }
    }
}
