package dev.explainable.serving.operator.status;

import static dev.explainable.serving.operator.status.StatusFixtures.compute;
import static dev.explainable.serving.operator.status.StatusFixtures.condition;
import static dev.explainable.serving.operator.status.StatusFixtures.deployment;
import static dev.explainable.serving.operator.status.StatusFixtures.model;
import static dev.explainable.serving.operator.status.StatusFixtures.rolledOut;
import static dev.explainable.serving.operator.status.StatusFixtures.unschedulable;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Condition;

import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.ExplainableModelStatus;

/** The model's status as a whole: its versions aggregated into the four conditions, and a refusal. */
class StatusCalculatorTest {

    @Test
    void readyWhenEveryVersionIsAvailable() {
        ExplainableModelStatus s =
                compute(model(), Map.of("v1", rolledOut(), "v2", rolledOut()), Map.of(), "2026-01-01T00:00:00Z");
        assertThat(s.getVersionsReady()).isEqualTo("2/2");
        assertThat(condition(s, "Ready").getStatus()).isEqualTo("True");
        assertThat(condition(s, "Available").getStatus()).isEqualTo("True");
        assertThat(condition(s, "Progressing").getStatus()).isEqualTo("False");
        assertThat(condition(s, "Degraded").getStatus()).isEqualTo("False");
        assertThat(s.getObservedGeneration()).isEqualTo(1L);
        assertThat(s.getUrl()).isEqualTo("http://flowers.team-a.svc/v1/projects/team-a/models/flowers:explain");
        assertThat(s.getVersions().get(1).getExplainUrl())
                .isEqualTo("http://flowers-v2.team-a.svc/v1/projects/team-a/models/flowers/versions/v2:explain");
    }

    /** Kubernetes conventions: the same four condition types whatever the versions are called. */
    @Test
    void conditionTypesAreAFixedSetNotBuiltFromVersionNames() {
        ExplainableModelStatus s =
                compute(model(), Map.of("v1", rolledOut()), Map.of("v2", List.of(unschedulable())), "t");
        assertThat(s.getConditions())
                .extracting(Condition::getType)
                .containsExactly("Ready", "Available", "Progressing", "Degraded");
    }

    @Test
    void unschedulableGpuVersionIsDegradedWithTheSchedulersMessage() {
        ExplainableModelStatus s = compute(
                model(),
                Map.of("v1", rolledOut(), "v2", deployment(1, 1, 0).build()),
                Map.of("v2", List.of(unschedulable())),
                "t");
        assertThat(s.getVersionsReady()).isEqualTo("1/2");
        assertThat(s.getVersions().get(1).getState()).isEqualTo("Degraded");
        Condition d = condition(s, "Degraded");
        assertThat(d.getStatus()).isEqualTo("True");
        assertThat(d.getReason()).isEqualTo("Unschedulable");
        assertThat(d.getMessage()).contains("v2 Unschedulable: 0/3 nodes", "Insufficient nvidia.com/gpu");
        assertThat(condition(s, "Ready").getStatus()).isEqualTo("False");
        assertThat(condition(s, "Ready").getMessage()).contains("v2 Unschedulable");
        // the default version v1 serves: the model is Available though not Ready
        assertThat(condition(s, "Available").getStatus()).isEqualTo("True");
    }

    @Test
    void applyFailedKeepsTheVersionsAndSaysWhatTheServerRefused() {
        ExplainableModel m = model();
        m.setStatus(compute(m, Map.of("v1", rolledOut(), "v2", rolledOut()), Map.of(), "t1"));
        ExplainableModelStatus s = StatusCalculator.applyFailed(
                m,
                "ConfigMap \"flowers-v1-explain\" is invalid: []: Too long: may not be more than 1048576 bytes",
                "t2");
        assertThat(condition(s, "Ready").getStatus()).isEqualTo("False");
        assertThat(condition(s, "Ready").getReason()).isEqualTo("ApplyFailed");
        assertThat(condition(s, "Degraded").getStatus()).isEqualTo("True");
        assertThat(condition(s, "Degraded").getMessage()).contains("Too long");
        assertThat(condition(s, "Available")).isEqualTo(condition(m.getStatus(), "Available"));
        assertThat(s.getVersions()).isEqualTo(m.getStatus().getVersions());
        assertThat(s.getConditions())
                .extracting(Condition::getType)
                .containsExactly("Ready", "Available", "Progressing", "Degraded");
    }
}
