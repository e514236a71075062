package dev.explainable.serving.runtime.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.explainable.serving.runtime.TestModels;

/**
 * Google's Vertex AI Python SDK ({@code google-cloud-aiplatform}, REST transport, anonymous credentials), unchanged,
 * against this runtime: {@code Endpoint(...).explain(...)} with and without {@code deployed_model_id}, and
 * {@code predict}. The SDK lives in the virtualenv tools/ensure-vertex-sdk.sh makes; without it the test skips with
 * one line.
 */
@QuarkusTest
class VertexSdkTest {

    static final Path PYTHON = Path.of(
            System.getenv()
                    .getOrDefault("EXPLAINABLE_CACHE", System.getProperty("user.home") + "/.cache/explainable-serving"),
            "pyenv-vertex/bin/python");

    @TestHTTPResource("/")
    URL base;

    @BeforeEach
    void ready() {
        Assumptions.assumeTrue(
                Files.isExecutable(PYTHON),
                "the Vertex SDK virtualenv is missing (tools/ensure-vertex-sdk.sh): Vertex SDK test skipped");
        ReadyModel.await();
    }

    @Test
    void googlesPythonSdkExplainsAndPredicts() throws Exception {
        JsonNode expected = TestModels.expected("tabular_classifier");
        ProcessBuilder pb = new ProcessBuilder(
                PYTHON.toString(),
                "src/test/vertex/sdk_client.py",
                base.toString(),
                "iris",
                "v1",
                expected.get("instances").toString());
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the SDK timed out");
        assertEquals(0, p.exitValue(), "the SDK failed: " + err);
        JsonNode result = TestModels.JSON.readTree(out);
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
