package dev.explainable.serving.operator.policy;

import java.util.List;
import java.util.Objects;

import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.ExplainableModelStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;

/**
 * The status of a model the operator refused ({@link ModelPolicy}): {@code Ready=False} and {@code Degraded=True},
 * both with reason {@value #REASON} and the violations as the message, at the model's generation. Nothing of the
 * refused spec is applied; what ran before the refused change (if anything) keeps running, so the previous per-version
 * state, versions-ready count and URL are kept as they were.
 */
public final class PolicyViolationStatus {

    public static final String REASON = "PolicyViolation";

    private PolicyViolationStatus() {
    }

    public static ExplainableModelStatus of(ExplainableModel m, List<String> violations, String now) {
        ExplainableModelStatus previous = m.getStatus() == null ? new ExplainableModelStatus() : m.getStatus();
        List<Condition> old = previous.getConditions();
        Long generation = m.getMetadata().getGeneration();
        String message = String.join("; ", violations);
        ExplainableModelStatus s = new ExplainableModelStatus();
        s.setObservedGeneration(generation);
        s.setConditions(new java.util.ArrayList<>(List.of(condition(old, "Ready", "False", message, generation, now),
                condition(old, "Degraded", "True", message, generation, now))));
        s.setVersions(previous.getVersions());
        s.setVersionsReady(previous.getVersionsReady());
        s.setUrl(previous.getUrl());
        return s;
    }

    /** Keeps lastTransitionTime while the condition's status stays the same (Kubernetes convention). */
    private static Condition condition(List<Condition> old, String type, String status, String message, Long generation,
            String now) {
        String since = old.stream().filter(c -> type.equals(c.getType()) && status.equals(c.getStatus()))
                .map(Condition::getLastTransitionTime).filter(Objects::nonNull).findFirst().orElse(now);
        return new ConditionBuilder().withType(type).withStatus(status).withReason(REASON).withMessage(message)
                .withObservedGeneration(generation).withLastTransitionTime(since).build();
    }
}
