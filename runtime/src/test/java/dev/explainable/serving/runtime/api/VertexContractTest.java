package dev.explainable.serving.runtime.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

import dev.explainable.serving.runtime.TestModels;

/**
 * Vertex AI's explain contract beside AI Platform's: paths, request fields, response shape, Google's error shape,
 * and the per-request overrides (on both URL families), on the tabular classifier ("iris", version "v1").
 */
@QuarkusTest
class VertexContractTest {

    static final String EXPLAIN = "/v1/projects/p/locations/us-central1/endpoints/iris:explain";
    static final String X = "[0.3, -1.2, 2.0, 0.7, -0.4]";

    @BeforeEach
    void ready() {
        ReadyModel.await();
    }

    static Response post(String path, String body) {
        return given().contentType("application/json").body(body).post(path);
    }

    @Test
    void explainAnswersVertexsShapeWithTheDeployedModelAndPredictions() {
        JsonNode want =
                TestModels.expected("tabular_classifier").get("explanations").get(0);
        post(EXPLAIN, "{\"instances\": [" + X + "]}")
                .then()
                .statusCode(200)
                .body("deployedModelId", equalTo("v1"))
                .body("predictions", hasSize(1))
                .body("predictions[0]", hasSize(3))
                .body("explanations", hasSize(1))
                .body("explanations[0].attributions", hasSize(1))
                .body("explanations[0].attributions[0].outputName", equalTo("probabilities"))
                .body(
                        "explanations[0].attributions[0].outputIndex",
                        contains(want.get("label_index").asInt()))
                .body(
                        "explanations[0].attributions[0].outputDisplayName",
                        equalTo("setosa versicolor virginica"
                                .split(" ")[want.get("label_index").asInt()]))
                .body(
                        "explanations[0].attributions[0].instanceOutputValue",
                        closeTo(want.get("example_score").asDouble(), 1e-5))
                .body(
                        "explanations[0].attributions[0].baselineOutputValue",
                        closeTo(want.get("baseline_score").asDouble(), 1e-5))
                .body("explanations[0].attributions[0]", hasKey("approximationError"))
                // a bare instance: featureAttributions is the one input's value, as the instance is
                .body("explanations[0].attributions[0].featureAttributions", hasSize(5))
                .body(
                        "explanations[0].attributions[0].featureAttributions[2]",
                        closeTo(want.get("attributions").get(2).asDouble(), 1e-4));
    }

    @Test
    void namedInstancesGetNamedAttributionsAndV1beta1AndPredictWork() {
        post(
                        EXPLAIN.replace("/v1/", "/v1beta1/"),
                        "{\"instances\": [{\"features\": " + X + "}], \"deployedModelId\": \"v1\"}")
                .then()
                .statusCode(200)
                .body("explanations[0].attributions[0].featureAttributions.features", hasSize(5));
        post(EXPLAIN.replace(":explain", ":predict"), "{\"instances\": [" + X + "]}")
                .then()
                .statusCode(200)
                .body("deployedModelId", equalTo("v1"))
                .body("predictions[0]", hasSize(3))
                .body("$", not(hasKey("explanations")));
    }

    @Test
    void errorsTakeGooglesShape() {
        post(EXPLAIN, "{\"instances\": [" + X + "], \"deployedModelId\": \"v2\"}")
                .then()
                .statusCode(404)
                .body("error.code", equalTo(404))
                .body("error.status", equalTo("NOT_FOUND"))
                .body("error.message", containsString("'v2'"));
        post(EXPLAIN.replace("iris", "tulip"), "{\"instances\": [" + X + "]}")
                .then()
                .statusCode(404)
                .body("error.status", equalTo("NOT_FOUND"));
        post(EXPLAIN, "{\"instances\": [[1, 2]]}")
                .then()
                .statusCode(400)
                .body("error.code", equalTo(400))
                .body("error.status", equalTo("INVALID_ARGUMENT"))
                .body("error.message", containsString("expected shape"));
        post(EXPLAIN, "{not json").then().statusCode(400).body("error.status", equalTo("INVALID_ARGUMENT"));
        // refused by the HTTP layer before JAX-RS: the same shape
        given().body("{\"instances\": []}")
                .post(EXPLAIN)
                .then()
                .statusCode(415)
                .body("error.code", equalTo(415))
                .body("error.status", equalTo("INVALID_ARGUMENT"));
        // AI Platform's URLs keep their own shape
        post("/v1/projects/p/models/iris:explain", "{\"instances\": [[1, 2]]}")
                .then()
                .statusCode(400)
                .body("error", containsString("expected shape"));
    }

    @Test
    void stepCountTopKOutputIndicesAndBaselinesOverrideWithinBounds() {
        String override = "{\"instances\": [" + X + "], \"explanationSpecOverride\": {\"parameters\": %s}}";
        double fewSteps = post(EXPLAIN, override.formatted("{\"integratedGradientsAttribution\": {\"stepCount\": 2}}"))
                .then()
                .statusCode(200)
                .extract()
                .path("explanations[0].attributions[0].approximationError");
        double manySteps = post(
                        EXPLAIN, override.formatted("{\"integratedGradientsAttribution\": {\"stepCount\": 100}}"))
                .then()
                .statusCode(200)
                .extract()
                .path("explanations[0].attributions[0].approximationError");
        assertTrue(manySteps < fewSteps, "more steps, smaller error: " + fewSteps + " -> " + manySteps);

        post(EXPLAIN, override.formatted("{\"integratedGradientsAttribution\": {\"stepCount\": 101}}"))
                .then()
                .statusCode(400)
                .body("error.message", containsString("stepCount must be between 1 and 100"));
        post(EXPLAIN, override.formatted("{\"sampledShapleyAttribution\": {\"pathCount\": 5}}"))
                .then()
                .statusCode(400)
                .body("error.message", containsString("cannot change the method"));
        post(EXPLAIN, override.formatted("{\"topK\": -1}"))
                .then()
                .statusCode(200)
                .body("explanations[0].attributions", hasSize(3))
                .body("explanations[0].attributions.outputIndex.flatten()", hasSize(3));
        post(EXPLAIN, override.formatted("{\"outputIndices\": [2, 0]}"))
                .then()
                .statusCode(200)
                .body("explanations[0].attributions.outputIndex.flatten()", contains(2, 0))
                .body("explanations[0].attributions.outputDisplayName", contains("virginica", "setosa"));
        post(EXPLAIN, override.formatted("{\"outputIndices\": [3]}"))
                .then()
                .statusCode(400)
                .body("error.message", containsString("outside output"));

        // the instance as its own baseline: nothing to attribute
        Response same = post(
                EXPLAIN,
                "{\"instances\": [" + X + "], \"explanationSpecOverride\": {\"metadata\": "
                        + "{\"inputs\": {\"features\": {\"inputBaselines\": [" + X + "]}}}}}");
        same.then().statusCode(200);
        List<Number> attributions = same.path("explanations[0].attributions[0].featureAttributions");
        attributions.forEach(a -> assertEquals(0.0, a.doubleValue(), 1e-6));
        post(
                        EXPLAIN,
                        "{\"instances\": [" + X + "], \"explanationSpecOverride\": {\"metadata\": "
                                + "{\"inputs\": {\"nope\": {\"inputBaselines\": [0]}}}}}")
                .then()
                .statusCode(400)
                .body("error.message", containsString("'nope'"));
    }

    @Test
    void outputIndicesNameEachLabelOnceAndAtMostTheOutputsLabels() {
        String override = "{\"instances\": [" + X + "], \"explanationSpecOverride\": {\"parameters\": %s}}";
        post(EXPLAIN, override.formatted("{\"outputIndices\": [2, 0, 2]}"))
                .then()
                .statusCode(400)
                .body("error.status", equalTo("INVALID_ARGUMENT"))
                .body("error.message", containsString("names label 2 more than once"));
        post("/v1/projects/p/models/iris:explain", override.formatted("{\"outputIndices\": [0, 0]}"))
                .then()
                .statusCode(400)
                .body("error", containsString("names label 0 more than once"));
        // 700,000 x [0], 1.4 MB: refused from the list's length, before its entries are read (was a 30 s answer)
        String many = "[" + "0,".repeat(699_999) + "0]";
        long start = System.nanoTime();
        post(EXPLAIN, override.formatted("{\"outputIndices\": " + many + "}"))
                .then()
                .statusCode(400)
                .body("error.message", containsString("outputIndices has 700000 entries"))
                .body("error.message", containsString("at most 3 labels"));
        double seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(seconds < 10, "refused in " + seconds + " s");
        // topK past the output's labels explains each label once
        post(EXPLAIN, override.formatted("{\"topK\": 5}"))
                .then()
                .statusCode(200)
                .body("explanations[0].attributions", hasSize(3));
    }

    @Test
    void overridesOutsideFloat32AreRefusedAsTheSameValuesInAnInstanceAre() {
        post(EXPLAIN, "{\"instances\": [[0.3, -1.2, 1e39, 0.7, -0.4]]}")
                .then()
                .statusCode(400)
                .body("error.message", containsString("out of float32 range"));
        String baselines = "{\"instances\": [" + X + "], \"explanationSpecOverride\": {\"metadata\": "
                + "{\"inputs\": {\"features\": {\"inputBaselines\": %s}}}}}";
        for (String b : List.of("[1e39]", "[[0, 0, -1e39, 0, 0]]")) {
            post(EXPLAIN, baselines.formatted(b))
                    .then()
                    .statusCode(400)
                    .body("error.status", equalTo("INVALID_ARGUMENT"))
                    .body("error.message", containsString("inputBaselines of input 'features'"))
                    .body("error.message", containsString("out of float32 range"));
        }
        String smooth = "{\"instances\": [" + X + "], \"explanationSpecOverride\": {\"parameters\": "
                + "{\"integratedGradientsAttribution\": {\"smoothGradConfig\": %s}}}}";
        post(EXPLAIN, smooth.formatted("{\"noiseSigma\": 1e308}"))
                .then()
                .statusCode(400)
                .body("error.message", containsString("noiseSigma must be > 0 and at most"))
                .body("error.message", containsString("overflows float32"));
        post(
                        EXPLAIN,
                        smooth.formatted("{\"featureNoiseSigma\": {\"noiseSigma\": "
                                + "[{\"name\": \"features\", \"sigma\": 1e308}]}}"))
                .then()
                .statusCode(400)
                .body("error.message", containsString("the sigma of features"));
        // within float32, noise stays within it too
        post(EXPLAIN, smooth.formatted("{\"noiseSigma\": 1e30}"))
                .then()
                .statusCode(200)
                .body(not(containsString("NaN")));
    }

    @Test
    void smoothGradAndBlurOverridesWithinVertexsRanges() {
        String override = "{\"instances\": [" + X + "], \"explanationSpecOverride\": {\"parameters\": "
                + "{\"integratedGradientsAttribution\": %s}}}";
        String smooth = override.formatted("{\"smoothGradConfig\": {\"noisySampleCount\": 4, \"noiseSigma\": 0.2}}");
        List<Number> first = post(EXPLAIN, smooth)
                .then()
                .statusCode(200)
                .extract()
                .path("explanations[0].attributions[0].featureAttributions");
        List<Number> again = post(EXPLAIN, smooth)
                .then()
                .statusCode(200)
                .extract()
                .path("explanations[0].attributions[0].featureAttributions");
        List<Number> plain = post(EXPLAIN, "{\"instances\": [" + X + "]}")
                .then()
                .statusCode(200)
                .extract()
                .path("explanations[0].attributions[0].featureAttributions");
        assertEquals(first, again, "the same request, the same noise");
        assertTrue(!first.equals(plain), "noise changes the answer");
        post(EXPLAIN, override.formatted("{\"smoothGradConfig\": {\"noisySampleCount\": 51}}"))
                .then()
                .statusCode(400)
                .body("error.message", containsString("noisySampleCount"));
        post(
                        EXPLAIN,
                        override.formatted(
                                "{\"smoothGradConfig\": {\"noiseSigma\": 0.1, "
                                        + "\"featureNoiseSigma\": {\"noiseSigma\": [{\"name\": \"features\", \"sigma\": 0.2}]}}}"))
                .then()
                .statusCode(400)
                .body("error.message", containsString("not both"));
        // the tabular model has no image input to blur
        post(EXPLAIN, override.formatted("{\"blurBaselineConfig\": {\"maxBlurSigma\": 10}}"))
                .then()
                .statusCode(400)
                .body("error.status", equalTo("INVALID_ARGUMENT"))
                .body("error.message", containsString("image"));
    }

    @Test
    void aTargetApproxErrorOnBothUrlFamiliesReportsTheStepsUsed() {
        String aiPlatform = "/v1/projects/p/models/iris:explain";
        Response ai = post(aiPlatform, "{\"instances\": [" + X + "], \"parameters\": {\"targetApproxError\": 0.001}}");
        ai.then()
                .statusCode(200)
                .body("explanations[0].attributions_by_label[0]", hasKey("integral_steps_used"))
                .body("explanations[0].attributions_by_label[0].approx_error", lessThanOrEqualTo(0.001));
        int steps = ai.path("explanations[0].attributions_by_label[0].integral_steps_used");
        assertTrue(steps == 50 || steps == 100 || steps == 200 || steps == 400, "50 doubled: " + steps);

        String override = "{\"instances\": [" + X + "], \"explanationSpecOverride\": {\"parameters\": %s}}";
        post(EXPLAIN, override.formatted("{\"targetApproxError\": 0.001}"))
                .then()
                .statusCode(200)
                .body("explanations[0].attributions[0].integralStepsUsed", equalTo(steps))
                .body("explanations[0].attributions[0].approximationError", lessThanOrEqualTo(0.001));
        // stepCount is where the refinement starts
        Response fromTwo = post(
                EXPLAIN,
                override.formatted(
                        "{\"integratedGradientsAttribution\": {\"stepCount\": 2}, \"targetApproxError\": 0.001}"));
        fromTwo.then()
                .statusCode(200)
                .body("explanations[0].attributions[0].approximationError", lessThanOrEqualTo(0.001));
        int refined = fromTwo.path("explanations[0].attributions[0].integralStepsUsed");
        assertTrue(refined > 2 && Integer.bitCount(refined / 2) == 1, "2 doubled: " + refined);
        // the AI Platform form on the Vertex URL, and the Vertex form on AI Platform's
        post(EXPLAIN, "{\"instances\": [" + X + "], \"parameters\": {\"targetApproxError\": 0.001}}")
                .then()
                .statusCode(200)
                .body("explanations[0].attributions[0].integralStepsUsed", equalTo(steps));
        post(aiPlatform, override.formatted("{\"targetApproxError\": 0.001}"))
                .then()
                .statusCode(200)
                .body("explanations[0].attributions_by_label[0].integral_steps_used", equalTo(steps));
        // without a target, the contracts' fields only
        post(EXPLAIN, "{\"instances\": [" + X + "]}")
                .then()
                .statusCode(200)
                .body("explanations[0].attributions[0]", not(hasKey("integralStepsUsed")));
        post(aiPlatform, "{\"instances\": [" + X + "]}")
                .then()
                .statusCode(200)
                .body("explanations[0].attributions_by_label[0]", not(hasKey("integral_steps_used")));

        post(EXPLAIN, override.formatted("{\"targetApproxError\": 0.6}"))
                .then()
                .statusCode(400)
                .body("error.message", containsString("targetApproxError must be between 1.0E-4 and 0.5"));
        post(aiPlatform, "{\"instances\": [" + X + "], \"parameters\": {\"targetApproxError\": 0.00001}}")
                .then()
                .statusCode(400)
                .body("error", containsString("targetApproxError must be between"));
        post(aiPlatform, "{\"instances\": [" + X + "], \"parameters\": {\"targetApproxError\": \"0.01\"}}")
                .then()
                .statusCode(400)
                .body("error", containsString("parameters.targetApproxError must be a number"));
        post(
                        EXPLAIN,
                        "{\"instances\": [" + X + "], \"parameters\": {\"targetApproxError\": 0.01}, "
                                + "\"explanationSpecOverride\": {\"parameters\": {\"targetApproxError\": 0.01}}}")
                .then()
                .statusCode(400)
                .body("error.message", containsString("give it once"));
    }

    @Test
    void aiPlatformUrlsTakeTheSameOverrides() {
        post(
                        "/v1/projects/p/models/iris:explain",
                        "{\"instances\": [" + X + "], \"explanationSpecOverride\": "
                                + "{\"parameters\": {\"topK\": 2}}}")
                .then()
                .statusCode(200)
                .body("explanations[0].attributions_by_label", hasSize(2));
    }
}
