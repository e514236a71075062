package dev.explainable.serving.runtime.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

import dev.explainable.serving.runtime.TestModels;
import dev.explainable.serving.runtime.service.ExampleFiles;
import dev.explainable.serving.runtime.testing.Management;
import dev.explainable.serving.testkit.VertexPython;

/**
 * Example-based explanations with Vertex's preset PRECISE (exact search) on an example set of 10,000 rows (and four
 * bad lines), through Google's Vertex Python SDK and raw REST: the neighbours are those of an exact numpy search over
 * the same embeddings, in the same order. Also the contract's edges: hostile overrides, what is not supported,
 * AI Platform's explain, and v1beta1's concurrent explanations.
 */
@QuarkusTest
@TestProfile(ExampleNeighborsSdkTest.Precise.class)
class ExampleNeighborsSdkTest {

    static final String EXPLAIN = "/v1/projects/p/locations/us-central1/endpoints/neighbors:explain";
    static final String V1BETA1 = "/v1beta1/projects/p/locations/us-central1/endpoints/neighbors:explain";
    static final String INSTANCE = "{\"features\": [0.5, -1, 0.25, 2, -0.5, 1, 0, -2]}";

    @TestHTTPResource("/")
    URL base;

    /** 10,000 seeded rows, then four lines that are no example: not JSON, no id, an id again, a wrong shape. */
    static Path exampleSet() {
        Path file = Path.of("target/example-sets/neighbors-10k.jsonl");
        if (!Files.exists(file)) {
            ExampleFiles.write(
                    file,
                    10_000,
                    5,
                    "{\"id\": \"broken\", \"features\": [1,",
                    "{\"features\": [1, 2, 3, 4, 5, 6, 7, 8]}",
                    "{\"id\": \"ex-7\", \"features\": [1, 2, 3, 4, 5, 6, 7, 8]}",
                    "{\"id\": \"short\", \"features\": [1, 2]}");
        }
        return file;
    }

    static Map<String, String> profile(String search) {
        return Map.of(
                "explain.model.dir",
                TestModels.dir("embedding_classifier").toString(),
                "explain.model.name",
                "neighbors",
                "explain.examples.uris",
                exampleSet().toAbsolutePath().toString(),
                "explain.examples.search",
                search);
    }

    public static class Precise implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return profile("exact");
        }
    }

    /** The SDK's and REST's neighbours against numpy; the answer of the script. */
    static JsonNode againstNumpy(URL base) throws Exception {
        VertexPython.Run run = VertexPython.run(
                Map.of(),
                Duration.ofSeconds(240),
                "src/test/vertex/sdk_neighbors.py",
                base.toString(),
                "neighbors",
                exampleSet().toAbsolutePath().toString(),
                "200");
        assertEquals(0, run.exit(), "the script failed: " + run.err());
        JsonNode r = run.result();
        assertEquals(10_000, r.get("examples").asInt(), r.toString());
        assertEquals(10, r.get("neighbors").asInt(), r.toString());
        assertTrue(r.get("max_distance_gap").asDouble() < 1e-4, r.toString());
        assertTrue(r.get("sdk_equals_rest").asBoolean(), r.toString());
        return r;
    }

    @BeforeEach
    void ready() {
        ReadyModel.await();
    }

    @Test
    void preciseNeighboursAreTheExactOnesOfNumpyThroughTheSdkAndRest() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                VertexPython.present(), "the Vertex SDK virtualenv is missing (tools/ensure-vertex-sdk.sh)");
        JsonNode r = againstNumpy(base);
        System.out.println("example neighbours, PRECISE: " + r);
        assertEquals(1.0, r.get("recall_sdk").asDouble(), r.toString());
        assertEquals(1.0, r.get("recall_rest").asDouble(), r.toString());
        assertTrue(r.get("sdk_in_exact_order").asBoolean(), r.toString());
    }

    @Test
    void theModelDescriptionReportsTheSetItsBadLinesAndItsMemory() {
        JsonNode examples = given().get("/runtime/model")
                .then()
                .statusCode(200)
                .extract()
                .as(JsonNode.class)
                .get("examples");
        assertEquals(10_000, examples.get("examples").asInt());
        assertEquals(16, examples.get("dimensions").asInt());
        assertEquals("exact", examples.get("search").asText());
        assertEquals("squared-l2", examples.get("distance").asText());
        assertEquals(4, examples.get("bad_lines").asInt(), examples.toString());
        assertEquals(4, examples.get("first_bad_lines").size());
        // the embeddings (10,000 x 16 float32) and the kept lines
        assertTrue(examples.get("bytes").asLong() >= 640_000, examples.toString());
        assertTrue(examples.get("lines_kept").asBoolean());
        // and the same in the metrics
        String metrics = given().get(Management.url("/q/metrics")).asString();
        assertTrue(metrics.contains("explainable_examples 10000.0"), metrics);
        assertTrue(metrics.contains("explainable_examples_bad_lines 4.0"), metrics);
        assertTrue(
                metrics.contains("explainable_examples_bytes "
                                + examples.get("bytes").asLong() + ".0")
                        || metrics.contains("explainable_examples_bytes "
                                + (double) examples.get("bytes").asLong()),
                metrics);
    }

    @Test
    void hostileAndUnsupportedOverridesAre400sInGooglesShape() {
        assertRefused("{\"examplesOverride\": {\"neighborCount\": 1000000000}}", "neighborCount must be 1 to 100");
        assertRefused("{\"examplesOverride\": {\"neighborCount\": 1e30}}", "must be an integer");
        assertRefused("{\"examplesOverride\": {\"crowdingCount\": 2}}", "crowdingCount is not supported");
        assertRefused(
                "{\"examplesOverride\": {\"restrictions\": [{\"namespaceName\": \"x\", \"allow\": [\"a\"]}]}}",
                "restrictions is not supported");
        assertRefused("{\"examplesOverride\": {\"dataFormat\": \"PIXELS\"}}", "INSTANCES or EMBEDDINGS");
        assertRefused("{\"examplesOverride\": {\"bogus\": 1}}", "unknown field 'bogus'");
        assertRefused(
                "{\"parameters\": {\"integratedGradientsAttribution\": {\"stepCount\": 5}}}",
                "this model explains by example");
        Response aiPlatform = given().contentType("application/json")
                .body("{\"instances\": [" + INSTANCE + "]}")
                .post("/v1/projects/p/models/neighbors:explain");
        assertEquals(400, aiPlatform.statusCode(), aiPlatform.asString());
        assertTrue(aiPlatform.asString().contains("explains by example"), aiPlatform.asString());
    }

    private static void assertRefused(String override, String message) {
        Response r = given().contentType("application/json")
                .body("{\"instances\": [" + INSTANCE + "], \"explanationSpecOverride\": " + override + "}")
                .post(EXPLAIN);
        assertEquals(400, r.statusCode(), r.asString());
        JsonNode error = r.as(JsonNode.class).get("error");
        assertEquals(400, error.get("code").asInt());
        assertEquals("INVALID_ARGUMENT", error.get("status").asText());
        assertTrue(error.get("message").asText().contains(message), error.toString());
    }

    @Test
    void neighboursAnswerWithThePredictionsAndNoAttributions() {
        JsonNode r = given().contentType("application/json")
                .body("{\"instances\": [" + INSTANCE + "], \"explanationSpecOverride\": {\"examplesOverride\":"
                        + " {\"neighborCount\": 3}}}")
                .post(EXPLAIN)
                .then()
                .statusCode(200)
                .extract()
                .as(JsonNode.class);
        JsonNode e = r.get("explanations").get(0);
        assertEquals(0, e.get("attributions").size());
        assertEquals(3, e.get("neighbors").size());
        assertTrue(e.get("neighbors").get(0).get("neighborId").asText().startsWith("ex-"));
        assertTrue(e.get("neighbors").get(0).get("neighborDistance").asDouble()
                <= e.get("neighbors").get(1).get("neighborDistance").asDouble());
        assertEquals(3, r.get("predictions").get(0).get("probabilities").size());
        assertEquals(16, r.get("predictions").get(0).get("embedding").size());
    }

    @Test
    void concurrentExplanationsAnswerEachOverrideAsItsOwnCallWould() {
        String body = "{\"instances\": [" + INSTANCE + "], \"concurrentExplanationSpecOverride\": {"
                + "\"few\": {\"examplesOverride\": {\"neighborCount\": 2}},"
                + "\"many\": {\"examplesOverride\": {\"neighborCount\": 12}}}}";
        JsonNode both = given().contentType("application/json")
                .body(body)
                .post(V1BETA1)
                .then()
                .statusCode(200)
                .extract()
                .as(JsonNode.class);
        for (String[] c : new String[][] {{"few", "2"}, {"many", "12"}}) {
            JsonNode alone = given().contentType("application/json")
                    .body("{\"instances\": [" + INSTANCE + "], \"explanationSpecOverride\": {\"examplesOverride\":"
                            + " {\"neighborCount\": " + c[1] + "}}}")
                    .post(EXPLAIN)
                    .then()
                    .statusCode(200)
                    .extract()
                    .as(JsonNode.class);
            assertEquals(
                    alone.get("explanations"),
                    both.get("concurrentExplanations").get(c[0]).get("explanations"),
                    c[0]);
        }
        // the request's own explanation: the model's default of 10
        assertEquals(10, both.get("explanations").get(0).get("neighbors").size());
        Response v1 = given().contentType("application/json").body(body).post(EXPLAIN);
        assertEquals(400, v1.statusCode(), "v1 has no concurrent explanations");
    }
}
