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

    /**
     * A version read back with Vertex's explanationSpec has no AI Platform explanation: writing it back (a management
     * call that adds another version) must not send both, which the CRD refuses.
     */
    @Test
    void aVersionReadWithVertexsSpecWritesBackWithoutTheDefaultExplanation() throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        VersionSpec vertex = json.readValue(
                "{\"name\":\"v1\",\"modelUri\":\"gs://bucket/m\","
                        + "\"explanationSpec\":{\"parameters\":{\"xraiAttribution\":{\"stepCount\":20}}}}",
                VersionSpec.class);
        assertThat(vertex.getExplanation()).isNull();
        assertThat(json.valueToTree(vertex).get("explanation").isNull()).isTrue();
        VersionSpec aiPlatform = json.readValue("{\"name\":\"v1\",\"modelUri\":\"gs://bucket/m\"}", VersionSpec.class);
        assertThat(aiPlatform.getExplanation())
                .as("the default stays without Vertex's spec")
                .isNotNull();
    }
}
