package dev.explainable.serving.operator.status;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;

import dev.explainable.serving.operator.api.ExplainableModel;

/**
 * The model's conditions, a fixed set in a fixed order as Kubernetes conventions ask ({@link Type}), built the way
 * Keycloak's {@code KeycloakStatusAggregator} builds its status: what every condition shares (the previous conditions,
 * the model's generation, the time) is captured once, each condition is set in one call, and {@link #build()} gives
 * the list. A condition keeps its lastTransitionTime while its status stays the same.
 */
public final class ModelConditions {

    /** The condition types on the model. */
    public enum Type {
        /** Every version serves its current configuration. */
        READY("Ready"),
        /** The default version has a ready pod, of any configuration. */
        AVAILABLE("Available"),
        /** Some version is rolling out. */
        PROGRESSING("Progressing"),
        /** Some version fails now, or the operator or the API server refused the model. */
        DEGRADED("Degraded");

        private final String value;

        Type(String value) {
            this.value = value;
        }

        /** The type as the condition carries it. */
        public String value() {
            return value;
        }
    }

    private final List<Condition> previous;
    private final Long generation;
    private final String now;
    private final Map<Type, Condition> conditions = new EnumMap<>(Type.class);

    /** Conditions for {@code m}'s generation, against its current status, at {@code now}. */
    public ModelConditions(ExplainableModel m, String now) {
        this.previous = m.getStatus() == null ? List.of() : m.getStatus().getConditions();
        this.generation = m.getMetadata().getGeneration();
        this.now = now;
    }

    public ModelConditions set(Type type, boolean on, String reason, String message) {
        String status = on ? "True" : "False";
        String since = previous.stream()
                .filter(c -> type.value().equals(c.getType()) && status.equals(c.getStatus()))
                .map(Condition::getLastTransitionTime)
                .filter(Objects::nonNull)
                .findFirst()
                .orElse(now);
        conditions.put(
                type,
                new ConditionBuilder()
                        .withType(type.value())
                        .withStatus(status)
                        .withReason(reason)
                        .withMessage(message == null ? "" : message)
                        .withObservedGeneration(generation)
                        .withLastTransitionTime(since)
                        .build());
        return this;
    }

    /** The previous condition of this type as it was (nothing said otherwise), or False when there was none. */
    public ModelConditions keep(Type type, String reason, String message) {
        previous.stream()
                .filter(c -> type.value().equals(c.getType()))
                .findFirst()
                .ifPresentOrElse(c -> conditions.put(type, c), () -> set(type, false, reason, message));
        return this;
    }

    /** Every type's condition, in {@link Type}'s order. */
    public List<Condition> build() {
        List<Condition> out = new ArrayList<>();
        for (Type type : Type.values()) {
            out.add(Objects.requireNonNull(conditions.get(type), () -> "condition " + type.value() + " not set"));
        }
        return out;
    }
}
