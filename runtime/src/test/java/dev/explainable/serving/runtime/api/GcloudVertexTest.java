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
            TabularReference.assertVertexExplanations(out.get("explanations"), String.join(" ", args));
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
