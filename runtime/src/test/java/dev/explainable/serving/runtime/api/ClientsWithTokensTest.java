package dev.explainable.serving.runtime.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import dev.explainable.serving.runtime.TestModels;

/**
 * Google's clients, unchanged, presenting a Kubernetes ServiceAccount token to the runtime in
 * {@code explain.auth.mode=kubernetes} against a real API server ({@link KubernetesCallers}): gcloud
 * {@code beta ai-platform explain}, {@code ai-platform predict} and {@code ai endpoints explain} with
 * {@code --access-token-file} (and the property {@code auth/access_token_file}), and the Vertex Python SDK with
 * {@code google.oauth2.credentials.Credentials(token)}. The allowed caller's token gets the same attributions as
 * without auth; the stranger's is refused with 403, no token with 401, each reported by the client as a refusal.
 * Skipped with one line where gcloud or the SDK's virtualenv is missing, as the tests without auth are. Tokens travel
 * in a file (mode 600) or an environment variable, never on a command line, and are never printed.
 */
@QuarkusTest
@TestProfile(ClientsWithTokensTest.KubernetesClients.class)
class ClientsWithTokensTest {

    /** Its own profile (not CallerAuthTest's, which stops the API server in its last tests): its own control plane. */
    public static class KubernetesClients implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(KubernetesCallers.class));
        }
    }

    record Run(int exit, String out, String err) {}

    @TestHTTPResource("/")
    URL base;

    static Path callerToken;
    static Path strangerToken;
    static Path request;
    static String caller;
    static String stranger;

    @BeforeAll
    static void tokens() throws Exception {
        caller = KubernetesCallers.token(KubernetesCallers.NAMESPACE, "caller", KubernetesCallers.AUDIENCE);
        stranger = KubernetesCallers.token("elsewhere", "stranger", KubernetesCallers.AUDIENCE);
        Path dir = Files.createTempDirectory(
                "tokens", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        callerToken = Files.writeString(dir.resolve("caller"), caller);
        strangerToken = Files.writeString(dir.resolve("stranger"), stranger);
        request = Files.createTempFile("request", ".json");
        Files.writeString(
                request,
                "{\"instances\": " + TestModels.expected("tabular_classifier").get("instances") + "}");
    }

    @BeforeEach
    void ready() {
        ReadyModel.await();
    }

    /** gcloud present (GcloudCompatibilityTest's check and config folder), pointed here, credentials on. */
    void gcloudConfigured() throws Exception {
        GcloudCompatibilityTest.gcloudPresent();
        GcloudCompatibilityTest.gcloud("config", "set", "api_endpoint_overrides/ml", base.toString());
        GcloudCompatibilityTest.gcloud("config", "set", "api_endpoint_overrides/aiplatform", base.toString());
        GcloudCompatibilityTest.gcloud("config", "set", "auth/disable_credentials", "false");
        GcloudCompatibilityTest.gcloud("config", "set", "core/project", "demo");
    }

    static Run gcloud(List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("gcloud"));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("CLOUDSDK_CONFIG", GcloudCompatibilityTest.config.toString());
        pb.environment().put("CLOUDSDK_CORE_DISABLE_PROMPTS", "1");
        return finish(pb.start(), "gcloud");
    }

    static Run finish(Process p, String what) throws Exception {
        var err = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                return e.toString();
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), what + " timed out");
        Run run = new Run(p.exitValue(), out, err.get());
        // the clients never echo the token they were given
        for (String token : List.of(caller, stranger)) {
            assertFalse(run.out().contains(token) || run.err().contains(token), what + " printed a token");
        }
        return run;
    }

    static List<String> aiPlatformExplain(String... more) {
        List<String> args = new ArrayList<>(List.of(
                "beta",
                "ai-platform",
                "explain",
                "--model",
                "iris",
                "--version",
                "v1",
                "--json-instances",
                GcloudCompatibilityTest.instances.toString(),
                "--region",
                "global",
                "--format",
                "json"));
        args.addAll(List.of(more));
        return args;
    }

    static List<String> endpointsExplain(String... more) {
        List<String> args = new ArrayList<>(List.of(
                "ai",
                "endpoints",
                "explain",
                "iris",
                "--region=us-central1",
                "--json-request=" + request,
                "--format=json"));
        args.addAll(List.of(more));
        return args;
    }

    static JsonNode ok(Run run) throws Exception {
        assertEquals(0, run.exit(), "gcloud failed: " + run.err());
        return TestModels.JSON.readTree(run.out());
    }

    @Test
    void gcloudAiPlatformExplainAndPredictWithTheCallersTokenFile() throws Exception {
        gcloudConfigured();
        JsonNode expected = TestModels.expected("tabular_classifier");
        JsonNode out = ok(gcloud(aiPlatformExplain("--access-token-file=" + callerToken)));
        assertEquals(2, out.get("explanations").size());
        for (int i = 0; i < 2; i++) {
            JsonNode want = expected.get("explanations").get(i);
            JsonNode got =
                    out.get("explanations").get(i).get("attributions_by_label").get(0);
            assertEquals(want.get("label_index").asInt(), got.get("label_index").asInt());
            for (int f = 0; f < 5; f++) {
                assertEquals(
                        want.get("attributions").get(f).asDouble(),
                        got.get("attributions").get("features").get(f).asDouble(),
                        1e-4);
            }
        }
        // the property instead of the flag
        GcloudCompatibilityTest.gcloud("config", "set", "auth/access_token_file", callerToken.toString());
        try {
            JsonNode predicted = ok(gcloud(List.of(
                    "ai-platform",
                    "predict",
                    "--model",
                    "iris",
                    "--version",
                    "v1",
                    "--json-instances",
                    GcloudCompatibilityTest.instances.toString(),
                    "--region",
                    "global",
                    "--format",
                    "json")));
            JsonNode predictions = predicted.has("predictions") ? predicted.get("predictions") : predicted;
            assertEquals(2, predictions.size());
            assertEquals(
                    expected.get("predictions").get(0).get(0).asDouble(),
                    predictions.get(0).get(0).asDouble(),
                    1e-5);
        } finally {
            GcloudCompatibilityTest.gcloud("config", "unset", "auth/access_token_file");
        }
    }

    @Test
    void gcloudAiEndpointsExplainWithTheCallersTokenFile() throws Exception {
        gcloudConfigured();
        JsonNode out = ok(gcloud(endpointsExplain("--access-token-file=" + callerToken)));
        assertEquals("v1", out.get("deployedModelId").asText());
        TabularReference.assertVertexExplanations(out.get("explanations"), "gcloud ai endpoints explain");
        JsonNode predicted = ok(gcloud(List.of(
                "ai",
                "endpoints",
                "predict",
                "iris",
                "--region=us-central1",
                "--json-request=" + request,
                "--format=json",
                "--access-token-file=" + callerToken)));
        assertTrue(predicted.toString().contains("predictions") || predicted.isArray(), predicted.toString());
    }

    @Test
    void gcloudWithAStrangersTokenIsDeniedAndWithoutATokenUnauthenticated() throws Exception {
        gcloudConfigured();
        Run denied = gcloud(endpointsExplain("--access-token-file=" + strangerToken));
        assertEquals(1, denied.exit(), "gcloud's exit status for a refused call: " + denied.err());
        assertTrue(denied.err().contains("PERMISSION_DENIED"), denied.err());
        assertTrue(denied.err().contains("may not create explainablemodels/explain"), denied.err());
        assertFalse(denied.err().contains("Traceback"), "gcloud crashed: " + denied.err());

        Run deniedAip = gcloud(aiPlatformExplain("--access-token-file=" + strangerToken));
        assertEquals(1, deniedAip.exit(), deniedAip.err());
        assertTrue(deniedAip.err().contains("may not create explainablemodels/explain"), deniedAip.err());
        assertFalse(deniedAip.err().contains("Traceback"), "gcloud crashed: " + deniedAip.err());

        GcloudCompatibilityTest.gcloud("config", "set", "auth/disable_credentials", "true");
        Run anonymous = gcloud(endpointsExplain());
        assertEquals(1, anonymous.exit(), anonymous.err());
        assertTrue(anonymous.err().contains("UNAUTHENTICATED"), anonymous.err());
        assertFalse(anonymous.err().contains("Traceback"), "gcloud crashed: " + anonymous.err());

        Run anonymousAip = gcloud(aiPlatformExplain());
        assertEquals(1, anonymousAip.exit(), anonymousAip.err());
        assertTrue(anonymousAip.err().contains("bearer token"), anonymousAip.err());
        assertFalse(anonymousAip.err().contains("Traceback"), "gcloud crashed: " + anonymousAip.err());
    }

    Run sdk(String token) throws Exception {
        Assumptions.assumeTrue(
                dev.explainable.serving.testkit.VertexPython.present(),
                "the Vertex SDK virtualenv is missing (tools/ensure-vertex-sdk.sh): Vertex SDK test skipped");
        ProcessBuilder pb = new ProcessBuilder(
                dev.explainable.serving.testkit.VertexPython.PYTHON.toString(),
                "src/test/vertex/sdk_client.py",
                base.toString(),
                "iris",
                "v1",
                TestModels.expected("tabular_classifier").get("instances").toString());
        Map<String, String> env = pb.environment();
        env.put("EXPLAIN_TOKEN", token);
        return finish(pb.start(), "the SDK");
    }

    @Test
    void vertexSdkWithTheCallersTokenExplainsAndPredicts() throws Exception {
        Run run = sdk(caller);
        assertEquals(0, run.exit(), "the SDK failed: " + run.out() + run.err());
        JsonNode result = TestModels.JSON.readTree(run.out());
        for (String call : new String[] {"explain", "explain_deployed"}) {
            JsonNode r = result.get(call);
            assertEquals("v1", r.get("deployed_model_id").asText(), call);
            TabularReference.assertVertexExplanations(r.get("explanations"), call);
        }
        assertEquals(2, result.get("predict").get("predictions").size());
    }

    @Test
    void vertexSdkWithAStrangersTokenRaisesForbidden() throws Exception {
        Run run = sdk(stranger);
        assertEquals(3, run.exit(), "the SDK should have raised an API error: " + run.out() + run.err());
        JsonNode error = TestModels.JSON.readTree(run.out()).get("error");
        assertTrue(
                List.of("Forbidden", "PermissionDenied")
                        .contains(error.get("type").asText()),
                error.toString());
        assertEquals(403, error.get("code").asInt(), error.toString());
        // the SDK's first request, Endpoint(...)'s GET of the endpoint, is the one refused
        assertTrue(error.get("message").asText().contains("may not get explainablemodels 'iris'"), error.toString());
    }

    @Test
    void thePageAsksForATokenSaysWhoMayNotCallAndExplainsWithAnAllowedOne() throws Exception {
        PageScript.assumeBrowser();
        ProcessBuilder pb = new ProcessBuilder("node", "token.test.mjs", base.toString())
                .directory(PageScript.UI.toFile())
                .redirectErrorStream(true);
        // by environment, not on a command line other processes can read
        pb.environment().put("CALLER_TOKEN", caller);
        pb.environment().put("STRANGER_TOKEN", stranger);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        System.out.println(out);
        assertEquals(0, p.exitValue(), out);
        assertFalse(out.contains(caller) || out.contains(stranger), "no token in the script's output");
    }
}
