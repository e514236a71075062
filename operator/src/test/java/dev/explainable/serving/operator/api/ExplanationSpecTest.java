package dev.explainable.serving.operator.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

import dev.explainable.serving.contract.AttributionMethod;
import dev.explainable.serving.contract.ExplanationDefaults;

/** The custom resource's explanation settings against the contract the runtime compiles against. */
class ExplanationSpecTest {

    /** A method added to the contract fails here until the CRD's enum (and so the schema) has it, and vice versa. */
    @Test
    void crdMethodsAreTheContractsByResourceName() {
        assertThat(ExplanationSpec.Method.values())
                .extracting(Enum::name)
                .containsExactlyInAnyOrderElementsOf(Arrays.stream(AttributionMethod.values())
                        .map(AttributionMethod::resourceName)
                        .toList());
        for (AttributionMethod a : AttributionMethod.values()) {
            assertThat(ExplanationSpec.Method.of(a).contract()).isEqualTo(a);
        }
    }

    @Test
    void defaultsAreTheContracts() {
        ExplanationSpec e = new ExplanationSpec();
        assertThat(e.getMethod().contract()).isEqualTo(AttributionMethod.DEFAULT);
        assertThat(e.getIntegralSteps()).isEqualTo(ExplanationDefaults.INTEGRAL_STEPS);
        assertThat(e.getPaths()).isEqualTo(ExplanationDefaults.PATHS);
    }
}
