package dev.explainable.serving.runtime.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URL;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.explainable.serving.runtime.TestModels;
import dev.explainable.serving.testkit.VertexPython;

/**
 * Google's Vertex AI Python SDK ({@code google-cloud-aiplatform}, REST transport, anonymous credentials), unchanged,
 * against this runtime: {@code Endpoint(...).explain(...)} with and without {@code deployed_model_id}, and
 * {@code predict}. The SDK lives in the virtualenv tools/ensure-vertex-sdk.sh makes; without it the test skips with
 * one line.
 */
@QuarkusTest
class VertexSdkTest {

    @TestHTTPResource("/")
    URL base;

    @BeforeEach
    void ready() {
        Assumptions.assumeTrue(
                VertexPython.present(),
                "the Vertex SDK virtualenv is missing (tools/ensure-vertex-sdk.sh): Vertex SDK test skipped");
        ReadyModel.await();
    }

    @Test
    void googlesPythonSdkExplainsAndPredicts() throws Exception {
        JsonNode expected = TestModels.expected("tabular_classifier");
        VertexPython.Run run = VertexPython.run(
                Map.of(),
                Duration.ofSeconds(120),
                "src/test/vertex/sdk_client.py",
                base.toString(),
                "iris",
                "v1",
                expected.get("instances").toString());
        assertEquals(0, run.exit(), "the SDK failed: " + run.err());
        JsonNode result = TestModels.JSON.readTree(run.out());
        for (String call : new String[] {"explain", "explain_deployed"}) {
            JsonNode r = result.get(call);
            assertEquals("v1", r.get("deployed_model_id").asText(), call);
            TabularReference.assertVertexExplanations(r.get("explanations"), call);
            for (int i = 0; i < 2; i++) {
                assertEquals(
                        expected.get("explanations").get(i).get("example_score").asDouble(),
                        r.get("explanations")
                                .get(i)
                                .get("attributions")
                                .get(0)
                                .get("instanceOutputValue")
                                .asDouble(),
                        1e-5);
            }
            assertEquals(3, r.get("predictions").get(0).size());
        }
        assertEquals("v1", result.get("predict").get("deployed_model_id").asText());
        assertEquals(2, result.get("predict").get("predictions").size());
    }
}
