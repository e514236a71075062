package dev.explainable.serving.runtime.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

import dev.explainable.serving.runtime.testing.Management;
import dev.explainable.serving.testkit.JsonNumbers;

/**
 * Vertex v1beta1's concurrent explanations ({@code concurrentExplanationSpecOverride} → {@code
 * concurrentExplanations}) on the tabular classifier: each named override answers what the same override alone
 * answers, beside the request's own explanation; the overrides are checked as the single one is, bounded in number,
 * and refused on v1, which has no such field. They are computed at once, so their TensorFlow runs are shared.
 */
@QuarkusTest
@TestProfile(ConcurrentExplanationsTest.OneRunAtATime.class)
class ConcurrentExplanationsTest {

    /** One TensorFlow run at a time: what arrives meanwhile waits and is run together. */
    public static class OneRunAtATime implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("explain.batching.concurrent-runs", "1", "explain.batching.max-wait", "20ms");
        }
    }

    static final String V1BETA1 = "/v1beta1/projects/p/locations/us-central1/endpoints/iris:explain";
    static final String V1 = "/v1/projects/p/locations/us-central1/endpoints/iris:explain";
    static final String INSTANCES = "[[0.3, -1.2, 2.0, 0.7, -0.4], [1.5, 0.2, -0.8, -1.1, 0.9]]";
    static final String FEW_STEPS = "{\"parameters\": {\"integratedGradientsAttribution\": {\"stepCount\": 3}}}";
    static final String ALL_LABELS = "{\"parameters\": {\"topK\": 3}}";
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeEach
    void ready() {
        ReadyModel.await();
    }

    static Response post(String path, String body) {
        return given().contentType("application/json").body(body).post(path);
    }

    static JsonNode ok(String path, String body) throws Exception {
        Response r = post(path, body);
        assertEquals(200, r.statusCode(), r.asString());
        return JSON.readTree(r.asString());
    }

    @Test
    void twoOverridesAnswerBothEachEqualToItsOwnSingleOverrideCall() throws Exception {
        JsonNode both = ok(
                V1BETA1,
                "{\"instances\": " + INSTANCES + ", \"concurrentExplanationSpecOverride\": {\"few-steps\": " + FEW_STEPS
                        + ", \"all-labels\": " + ALL_LABELS + "}}");
        JsonNode plain = ok(V1BETA1, "{\"instances\": " + INSTANCES + "}");
        JsonNode fewSteps =
                ok(V1BETA1, "{\"instances\": " + INSTANCES + ", \"explanationSpecOverride\": " + FEW_STEPS + "}");
        JsonNode allLabels =
                ok(V1BETA1, "{\"instances\": " + INSTANCES + ", \"explanationSpecOverride\": " + ALL_LABELS + "}");

        // equal within float32's noise: computed at once, their rows meet in shared runs of other sizes than alone
        assertSame(plain.get("explanations"), both.get("explanations"), "the request's own explanation");
        assertSame(plain.get("predictions"), both.get("predictions"), "the predictions");
        JsonNode concurrent = both.get("concurrentExplanations");
        assertEquals(List.of("few-steps", "all-labels"), fieldNames(concurrent), "in the request's order");
        assertSame(fewSteps.get("explanations"), concurrent.get("few-steps").get("explanations"), "few-steps");
        assertSame(allLabels.get("explanations"), concurrent.get("all-labels").get("explanations"), "all-labels");
        // and the overrides did change something: 3 steps are not 50, 3 labels are not 1
        assertNotEquals(plain.get("explanations"), fewSteps.get("explanations"));
        assertEquals(
                3,
                concurrent
                        .get("all-labels")
                        .get("explanations")
                        .get(0)
                        .get("attributions")
                        .size());
        assertEquals(2, concurrent.get("few-steps").get("explanations").size(), "one per instance");
    }

    static void assertSame(JsonNode expected, JsonNode actual, String what) {
        String difference = JsonNumbers.difference(expected, actual, JsonNumbers.FLOAT32_TOLERANCE);
        assertNull(difference, what + ": " + difference);
    }

    /** The overrides are computed at once: their TensorFlow runs are shared, fewer than the calls alone make. */
    @Test
    void theOverridesShareTheirTensorFlowRuns() throws Exception {
        String overrides = "{\"few-steps\": " + FEW_STEPS + ", \"all-labels\": " + ALL_LABELS + "}";
        long alone = runs(() -> {
            ok(V1BETA1, "{\"instances\": " + INSTANCES + "}");
            ok(V1BETA1, "{\"instances\": " + INSTANCES + ", \"explanationSpecOverride\": " + FEW_STEPS + "}");
            ok(V1BETA1, "{\"instances\": " + INSTANCES + ", \"explanationSpecOverride\": " + ALL_LABELS + "}");
        });
        long together = runs(() -> ok(
                V1BETA1,
                "{\"instances\": " + INSTANCES + ", \"concurrentExplanationSpecOverride\": " + overrides + "}"));
        assertTrue(together < alone, "runs together " + together + ", alone " + alone);
    }

    interface Calls {
        void run() throws Exception;
    }

    /** The model's TensorFlow runs {@code calls} made (the explainable_model_runs counter). */
    static long runs(Calls calls) throws Exception {
        double before = counter();
        calls.run();
        return Math.round(counter() - before);
    }

    static double counter() {
        String metrics = given().get(Management.url("/q/metrics")).asString();
        return metrics.lines()
                .filter(l -> l.startsWith("explainable_model_runs_total"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    @Test
    void withoutOverridesTheAnswerHasNoConcurrentExplanations() throws Exception {
        assertFalse(ok(V1BETA1, "{\"instances\": " + INSTANCES + "}").has("concurrentExplanations"));
        assertFalse(ok(V1BETA1, "{\"instances\": " + INSTANCES + ", \"concurrentExplanationSpecOverride\": null}")
                .has("concurrentExplanations"));
    }

    @Test
    void refusedOnV1WhichHasNoSuchField() {
        post(
                        V1,
                        "{\"instances\": " + INSTANCES + ", \"concurrentExplanationSpecOverride\": {\"a\": " + FEW_STEPS
                                + "}}")
                .then()
                .statusCode(400)
                .body("error.status", equalTo("INVALID_ARGUMENT"))
                .body("error.message", containsString("Unknown name \"concurrentExplanationSpecOverride\""));
    }

    @Test
    void badOverridesAreRefusedNamingTheEntryAndBoundedInNumber() {
        post(
                        V1BETA1,
                        "{\"instances\": " + INSTANCES + ", \"concurrentExplanationSpecOverride\": {\"good\": "
                                + FEW_STEPS + ", \"bad\": {\"parameters\": {\"integratedGradientsAttribution\":"
                                + " {\"stepCount\": 101}}}}}")
                .then()
                .statusCode(400)
                .body("error.message", containsString("concurrentExplanationSpecOverride[\"bad\"]"))
                .body("error.message", containsString("stepCount must be between 1 and 100"));
        post(
                        V1BETA1,
                        "{\"instances\": " + INSTANCES + ", \"concurrentExplanationSpecOverride\": {\"x\": "
                                + "{\"parameters\": {\"sampledShapleyAttribution\": {\"pathCount\": 5}}}}}")
                .then()
                .statusCode(400)
                .body("error.message", containsString("cannot change the method"));
        StringBuilder five = new StringBuilder("{");
        for (int i = 0; i < 5; i++) {
            five.append(i == 0 ? "" : ", ")
                    .append("\"o")
                    .append(i)
                    .append("\": ")
                    .append(FEW_STEPS);
        }
        post(V1BETA1, "{\"instances\": " + INSTANCES + ", \"concurrentExplanationSpecOverride\": " + five + "}}")
                .then()
                .statusCode(400)
                .body("error.message", containsString("at most 4 (explain.limits.max-concurrent-explanations)"));
        for (String hostile : List.of(
                "[]",
                "\"x\"",
                "{\"a\": null}",
                "{\"a\": [1]}",
                "{\"\": {}}",
                "{\"" + "n".repeat(129) + "\": {}}",
                "{\"a\": {\"nope\": 1}}")) {
            post(V1BETA1, "{\"instances\": " + INSTANCES + ", \"concurrentExplanationSpecOverride\": " + hostile + "}")
                    .then()
                    .statusCode(400)
                    .body("error.status", equalTo("INVALID_ARGUMENT"))
                    .body("error.message", containsString("concurrentExplanationSpecOverride"));
        }
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> names = new java.util.ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
