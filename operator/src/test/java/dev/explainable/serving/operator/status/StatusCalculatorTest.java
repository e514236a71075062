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

import dev.explainable.serving.operator.Models;
import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.ExplainableModelStatus;
import dev.explainable.serving.operator.dependent.VersionConfig;

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

    /** A model without versions serves nothing: not Ready (NoVersions, saying what to do), but nothing fails either. */
    @Test
    void aModelWithoutVersionsIsNotReadyWithReasonNoVersions() {
        ExplainableModel m = Models.model("flowers", null);
        ExplainableModelStatus s = StatusCalculator.compute(
                m, VersionConfig.of(m), Map.of(), Map.of(), Map.of(), Map.of(), "2026-01-01T00:00:00Z");
        assertThat(s.getConditions())
                .extracting(Condition::getType)
                .containsExactly("Ready", "Available", "Progressing", "Degraded");
        Condition ready = condition(s, "Ready");
        assertThat(ready.getStatus()).isEqualTo("False");
        assertThat(ready.getReason()).isEqualTo("NoVersions");
        assertThat(ready.getMessage())
                .isEqualTo("the model has no versions yet: add one to spec.versions and name it in"
                        + " spec.defaultVersion");
        assertThat(condition(s, "Available").getStatus()).isEqualTo("False");
        assertThat(condition(s, "Available").getReason()).isEqualTo("NoVersions");
        assertThat(condition(s, "Available").getMessage()).contains("models/flowers:explain");
        assertThat(condition(s, "Progressing").getStatus()).isEqualTo("False");
        assertThat(condition(s, "Progressing").getReason()).isEqualTo("NoRolloutInProgress");
        assertThat(condition(s, "Degraded").getStatus()).isEqualTo("False");
        assertThat(condition(s, "Degraded").getReason()).isEqualTo("AsExpected");
        assertThat(s.getVersions()).isEmpty();
        assertThat(s.getVersionsReady()).isEqualTo("0/0");
        assertThat(s.getUrl()).isNull();
        assertThat(s.getObservedGeneration()).isEqualTo(1L);
        // computed again, it is the same status (the operator writes nothing more)
        m.setStatus(s);
        assertThat(StatusCalculator.compute(m, Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), "later"))
                .usingRecursiveComparison()
                .isEqualTo(s);
    }

    /** Versions added converge as any model's; all removed again, the model is back to NoVersions. */
    @Test
    void addingAVersionAndRemovingItAgain() {
        ExplainableModel m = Models.model("flowers", null);
        m.setStatus(StatusCalculator.compute(m, Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), "t1"));

        m.getSpec().setDefaultVersion("v1");
        m.getSpec().getVersions().add(Models.version("v1", 0));
        m.getMetadata().setGeneration(2L);
        ExplainableModelStatus creating = compute(m, Map.of(), Map.of(), "t2");
        assertThat(condition(creating, "Ready").getReason()).isEqualTo("VersionsNotAvailable");
        assertThat(condition(creating, "Progressing").getReason()).isEqualTo("Creating");
        assertThat(creating.getVersionsReady()).isEqualTo("0/1");
        m.setStatus(creating);
        ExplainableModelStatus ready = compute(m, Map.of("v1", rolledOut()), Map.of(), "t3");
        assertThat(condition(ready, "Ready").getStatus()).isEqualTo("True");
        assertThat(condition(ready, "Available").getReason()).isEqualTo("DefaultVersionServing");
        assertThat(ready.getUrl()).isEqualTo("http://flowers.team-a.svc/v1/projects/team-a/models/flowers:explain");
        m.setStatus(ready);

        m.getSpec().setDefaultVersion(null);
        m.getSpec().getVersions().clear();
        m.getMetadata().setGeneration(3L);
        ExplainableModelStatus none = compute(m, Map.of("v1", rolledOut()), Map.of(), "t4");
        assertThat(condition(none, "Ready").getStatus()).isEqualTo("False");
        assertThat(condition(none, "Ready").getReason()).isEqualTo("NoVersions");
        assertThat(condition(none, "Ready").getLastTransitionTime()).isEqualTo("t4");
        assertThat(condition(none, "Available").getReason()).isEqualTo("NoVersions");
        assertThat(none.getVersions()).isEmpty();
        assertThat(none.getVersionsReady()).isEqualTo("0/0");
        assertThat(none.getUrl()).isNull();
        assertThat(none.getObservedGeneration()).isEqualTo(3L);
    }
}
