package dev.explainable.serving.runtime.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;

import dev.explainable.serving.runtime.TestModels;

/** The tabular classifier's reference explanations, as every Vertex client (gcloud, the SDK) must show them. */
final class TabularReference {

    private TabularReference() {}

    /**
     * {@code explanations} (Vertex's, as a client parsed them: one per reference instance) name the reference's label
     * and carry its five feature attributions within 1e-4.
     */
    static void assertVertexExplanations(JsonNode explanations, String what) {
        JsonNode expected = TestModels.expected("tabular_classifier").get("explanations");
        assertEquals(expected.size(), explanations.size(), what);
        for (int i = 0; i < expected.size(); i++) {
            JsonNode want = expected.get(i);
            JsonNode got = explanations.get(i).get("attributions").get(0);
            assertEquals(
                    want.get("label_index").asInt(),
                    got.get("outputIndex").get(0).asInt(),
                    what);
            for (int f = 0; f < 5; f++) {
                assertEquals(
                        want.get("attributions").get(f).asDouble(),
                        got.get("featureAttributions").get(f).asDouble(),
                        1e-4,
                        what + ": instance " + i + ", feature " + f);
            }
        }
    }
}
