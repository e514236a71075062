package dev.explainable.serving.operator.status;

import static dev.explainable.serving.operator.status.StatusFixtures.compute;
import static dev.explainable.serving.operator.status.StatusFixtures.condition;
import static dev.explainable.serving.operator.status.StatusFixtures.deployment;
import static dev.explainable.serving.operator.status.StatusFixtures.model;
import static dev.explainable.serving.operator.status.StatusFixtures.rolledOut;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.utils.Serialization;

import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.ExplainableModelStatus;

/** The model's conditions keep their lastTransitionTime while their status stays the same. */
class ModelConditionsTest {

    @Test
    void rollingOutAndLastTransitionTimeKept() {
        ExplainableModel m = model();
        ExplainableModelStatus first =
                compute(m, Map.of("v1", deployment(1, 0, 1).build()), Map.of(), "t1");
        assertThat(first.getVersions().get(0).getReason()).isEqualTo("RollingOut");
        m.setStatus(first);
        ExplainableModelStatus second =
                compute(m, Map.of("v1", deployment(1, 0, 1).build()), Map.of(), "t2");
        assertThat(condition(second, "Progressing").getLastTransitionTime()).isEqualTo("t1");
        m.setStatus(second);
        ExplainableModelStatus third = compute(m, Map.of("v1", rolledOut(), "v2", rolledOut()), Map.of(), "t3");
        assertThat(condition(third, "Ready").getLastTransitionTime()).isEqualTo("t3");
        assertThat(condition(third, "Progressing").getLastTransitionTime()).isEqualTo("t3");
    }

    @Test
    void previousStatusWithoutConditionsStartsAfresh() {
        ExplainableModel m = model();
        m.setStatus(Serialization.unmarshal(
                "{\"conditions\": null, \"versions\": null}",
                ExplainableModelStatus.class)); // as a hand-written status may say
        assertThat(m.getStatus().getVersions()).isEmpty();
        ExplainableModelStatus s = compute(m, Map.of("v1", rolledOut()), Map.of(), "t1");
        assertThat(condition(s, "Available").getLastTransitionTime()).isEqualTo("t1");
    }

    @Test
    void keptConditionsStayAsTheyWereAndTheOrderIsFixed() {
        ExplainableModel m = model();
        m.setStatus(compute(m, Map.of("v1", rolledOut()), Map.of(), "t1"));
        List<Condition> conditions = new ModelConditions(m, "t2")
                .set(ModelConditions.Type.DEGRADED, true, "ApplyFailed", "refused")
                .keep(ModelConditions.Type.AVAILABLE, "ApplyFailed", "refused")
                .set(ModelConditions.Type.PROGRESSING, false, "ApplyFailed", null)
                .set(ModelConditions.Type.READY, false, "ApplyFailed", "refused")
                .build();
        assertThat(conditions)
                .extracting(Condition::getType)
                .containsExactly("Ready", "Available", "Progressing", "Degraded");
        assertThat(conditions.get(1)).isEqualTo(condition(m.getStatus(), "Available"));
        assertThat(conditions.get(2).getMessage()).isEmpty();
        assertThat(conditions.get(2).getObservedGeneration()).isEqualTo(1L);
        assertThat(conditions.get(3).getLastTransitionTime()).isEqualTo("t2");
        // nothing to keep: False, with the reason given
        Condition none = new ModelConditions(model(), "t3")
                .keep(ModelConditions.Type.AVAILABLE, "ApplyFailed", "refused")
                .set(ModelConditions.Type.READY, false, "ApplyFailed", "refused")
                .set(ModelConditions.Type.PROGRESSING, false, "ApplyFailed", "refused")
                .set(ModelConditions.Type.DEGRADED, true, "ApplyFailed", "refused")
                .build()
                .get(1);
        assertThat(none.getStatus()).isEqualTo("False");
        assertThat(none.getReason()).isEqualTo("ApplyFailed");
    }

    @Test
    void everyTypeIsSet() {
        assertThatThrownBy(() -> new ModelConditions(model(), "t")
                        .set(ModelConditions.Type.READY, true, "AllVersionsAvailable", "")
                        .build())
                .hasMessageContaining("Available");
    }
}
