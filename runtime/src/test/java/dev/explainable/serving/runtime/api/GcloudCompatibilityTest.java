package dev.explainable.serving.runtime.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.explainable.serving.runtime.TestModels;

/**
 * Google's own client, unchanged, against this runtime: {@code gcloud beta ai-platform explain} and
 * {@code gcloud ai-platform predict} with {@code api_endpoint_overrides/ml} pointed here.
 */
@QuarkusTest
class GcloudCompatibilityTest {

    @TestHTTPResource("/")
    URL base;

    static Path config;
    static Path instances;

    @BeforeAll
    static void gcloudPresent() throws IOException {
        boolean present = false;
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            present |= Files.isExecutable(Path.of(dir, "gcloud"));
        }
        // CI machines have gcloud; elsewhere this says plainly why it did not run.
        Assumptions.assumeTrue(present, "gcloud is not on PATH: Google-client compatibility test skipped");
        config = Files.createTempDirectory("gcloud-config");
        instances = Files.createTempFile("instances", ".jsonl");
        StringBuilder lines = new StringBuilder();
        TestModels.expected("tabular_classifier")
                .get("instances")
                .forEach(i -> lines.append(i).append('\n'));
        Files.writeString(instances, lines);
    }

    @BeforeEach
    void configure() throws Exception {
        ReadyModel.await();
        gcloud("config", "set", "api_endpoint_overrides/ml", base.toString());
        gcloud("config", "set", "auth/disable_credentials", "true");
        gcloud("config", "set", "core/project", "my-project");
    }

    static String gcloud(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("gcloud"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(false);
        pb.environment().put("CLOUDSDK_CONFIG", config.toString());
        pb.environment().put("CLOUDSDK_CORE_DISABLE_PROMPTS", "1");
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "gcloud timed out");
        assertEquals(0, p.exitValue(), "gcloud " + String.join(" ", args) + " failed: " + err);
        return new String(out, StandardCharsets.UTF_8);
    }

    @Test
    void gcloudExplainWithVersionAndWithDefaultVersion() throws Exception {
        JsonNode expected = TestModels.expected("tabular_classifier").get("explanations");
        for (List<String> version : List.of(List.of("--version", "v1"), List.<String>of())) {
            List<String> args = new ArrayList<>(List.of(
                    "beta",
                    "ai-platform",
                    "explain",
                    "--model",
                    "iris",
                    "--json-instances",
                    instances.toString(),
                    "--region",
                    "global",
                    "--format",
                    "json"));
            args.addAll(version);
            JsonNode out = TestModels.JSON.readTree(gcloud(args.toArray(String[]::new)));
            assertEquals(2, out.get("explanations").size());
            for (int i = 0; i < 2; i++) {
                JsonNode got = out.get("explanations")
                        .get(i)
                        .get("attributions_by_label")
                        .get(0);
                assertEquals(
                        expected.get(i).get("label_index").asInt(),
                        got.get("label_index").asInt());
                for (int f = 0; f < 5; f++) {
                    assertEquals(
                            expected.get(i).get("attributions").get(f).asDouble(),
                            got.get("attributions").get("features").get(f).asDouble(),
                            1e-4);
                }
            }
        }
    }

    @Test
    void gcloudPredict() throws Exception {
        JsonNode out = TestModels.JSON.readTree(gcloud(
                "ai-platform",
                "predict",
                "--model",
                "iris",
                "--version",
                "v1",
                "--json-instances",
                instances.toString(),
                "--region",
                "global",
                "--format",
                "json"));
        JsonNode expected = TestModels.expected("tabular_classifier").get("predictions");
        // gcloud prints the "predictions" list itself
        JsonNode predictions = out.has("predictions") ? out.get("predictions") : out;
        assertEquals(2, predictions.size());
        assertEquals(
                expected.get(0).get(0).asDouble(), predictions.get(0).get(0).asDouble(), 1e-5);
    }
}
