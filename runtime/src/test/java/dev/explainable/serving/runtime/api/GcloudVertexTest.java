package dev.explainable.serving.runtime.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.explainable.serving.runtime.TestModels;

/**
 * Google's own client for Vertex AI, unchanged, against this runtime: {@code gcloud ai endpoints explain} (with and
 * without {@code --deployed-model-id}) and {@code predict}, with {@code api_endpoint_overrides/aiplatform} pointed
 * here. Skipped with one line where gcloud is not installed.
 */
@QuarkusTest
class GcloudVertexTest {

    @TestHTTPResource("/")
    URL base;

    static Path request;

    @BeforeAll
    static void prepare() throws Exception {
        GcloudCompatibilityTest.gcloudPresent();
        request = Files.createTempFile("request", ".json");
        Files.writeString(
                request,
                "{\"instances\": " + TestModels.expected("tabular_classifier").get("instances") + "}");
    }

    @BeforeEach
    void configure() throws Exception {
        ReadyModel.await();
        GcloudCompatibilityTest.gcloud("config", "set", "api_endpoint_overrides/aiplatform", base.toString());
        GcloudCompatibilityTest.gcloud("config", "set", "auth/disable_credentials", "true");
        GcloudCompatibilityTest.gcloud("config", "set", "core/project", "demo");
    }

    @Test
    void gcloudAiEndpointsExplainAndPredict() throws Exception {
        JsonNode expected = TestModels.expected("tabular_classifier").get("explanations");
        for (String[] deployed : new String[][] {{}, {"--deployed-model-id=v1"}}) {
            String[] args = new String[] {
                "ai",
                "endpoints",
                "explain",
                "iris",
                "--region=us-central1",
                "--json-request=" + request,
                "--format=json"
            };
            if (deployed.length > 0) {
                args = java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.Arrays.stream(deployed))
                        .toArray(String[]::new);
            }
            JsonNode out = TestModels.JSON.readTree(GcloudCompatibilityTest.gcloud(args));
            assertEquals("v1", out.get("deployedModelId").asText());
            assertEquals(2, out.get("explanations").size());
            for (int i = 0; i < 2; i++) {
                JsonNode got =
                        out.get("explanations").get(i).get("attributions").get(0);
                assertEquals(
                        expected.get(i).get("label_index").asInt(),
                        got.get("outputIndex").get(0).asInt());
                for (int f = 0; f < 5; f++) {
                    assertEquals(
                            expected.get(i).get("attributions").get(f).asDouble(),
                            got.get("featureAttributions").get(f).asDouble(),
                            1e-4);
                }
            }
        }
        JsonNode predicted = TestModels.JSON.readTree(GcloudCompatibilityTest.gcloud(
                "ai",
                "endpoints",
                "predict",
                "iris",
                "--region=us-central1",
                "--json-request=" + request,
                "--format=json"));
        assertTrue(predicted.toString().contains("predictions") || predicted.isArray(), predicted.toString());
    }
}
