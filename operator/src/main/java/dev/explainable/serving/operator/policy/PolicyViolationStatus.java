package dev.explainable.serving.operator.policy;

import java.util.List;

import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.ExplainableModelStatus;
import dev.explainable.serving.operator.status.Reason;
import dev.explainable.serving.operator.status.StatusCalculator;

/**
 * The status of a model the operator refused ({@link ModelPolicy}): {@code Ready=False}, {@code Progressing=False}
 * and {@code Degraded=True}, with reason {@link Reason#POLICY_VIOLATION} and the violations as the message, at the
 * model's generation; {@code Available} as it was. Nothing of the refused spec is applied; what ran before the
 * refused change (if anything) keeps running, so the previous per-version state, versions-ready count and URL are
 * kept as they were ({@link StatusCalculator#refused}).
 */
public final class PolicyViolationStatus {

    private PolicyViolationStatus() {}

    public static ExplainableModelStatus of(ExplainableModel m, List<String> violations, String now) {
        return StatusCalculator.refused(m, Reason.POLICY_VIOLATION, String.join("; ", violations), now);
    }
}
