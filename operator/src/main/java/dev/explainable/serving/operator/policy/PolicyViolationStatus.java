package dev.explainable.serving.operator.policy;

import java.util.List;

import io.fabric8.kubernetes.api.model.Condition;

import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.ExplainableModelStatus;
import dev.explainable.serving.operator.status.Reason;
import dev.explainable.serving.operator.status.StatusCalculator;

/**
 * The status of a model the operator refused ({@link ModelPolicy}): {@code Ready=False}, {@code Progressing=False}
 * and {@code Degraded=True}, with reason {@link Reason#POLICY_VIOLATION} and the violations as the message, at the
 * model's generation; {@code Available} as it was. Nothing of the refused spec is applied; what ran before the
 * refused change (if anything) keeps running, so the previous per-version state, versions-ready count and URL are
 * kept as they were.
 */
public final class PolicyViolationStatus {

    private PolicyViolationStatus() {}

    public static ExplainableModelStatus of(ExplainableModel m, List<String> violations, String now) {
        ExplainableModelStatus previous = m.getStatus() == null ? new ExplainableModelStatus() : m.getStatus();
        List<Condition> old = previous.getConditions();
        Long generation = m.getMetadata().getGeneration();
        String message = String.join("; ", violations);
        ExplainableModelStatus s = new ExplainableModelStatus();
        s.setObservedGeneration(generation);
        // the model's fixed condition types, in their order; Available stays what it was: what ran keeps running
        Condition available = old.stream()
                .filter(c -> StatusCalculator.AVAILABLE.equals(c.getType()))
                .findFirst()
                .orElse(condition(old, StatusCalculator.AVAILABLE, "False", message, generation, now));
        s.setConditions(new java.util.ArrayList<>(List.of(
                condition(old, StatusCalculator.READY, "False", message, generation, now),
                available,
                condition(old, StatusCalculator.PROGRESSING, "False", message, generation, now),
                condition(old, StatusCalculator.DEGRADED, "True", message, generation, now))));
        s.setVersions(previous.getVersions());
        s.setVersionsReady(previous.getVersionsReady());
        s.setUrl(previous.getUrl());
        return s;
    }

    private static Condition condition(
            List<Condition> old, String type, String status, String message, Long generation, String now) {
        return StatusCalculator.condition(
                old, type, "True".equals(status), Reason.POLICY_VIOLATION.value(), message, generation, now);
    }
}
