package dev.explainable.serving.runtime.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;

import dev.explainable.serving.runtime.TestModels;
import dev.explainable.serving.runtime.testing.Management;

/** The HTTP surface on the real tabular classifier (model "iris", version "v1", see application.properties). */
@QuarkusTest
class PredictionResourceTest {

    static final String MODEL = "/v1/projects/p/models/iris";
    static final String VERSION = MODEL + "/versions/v1";
    static final JsonNode EXPECTED = TestModels.expected("tabular_classifier");

    @BeforeEach
    void ready() {
        ReadyModel.await();
    }

    static ValidatableResponse post(String path, String body) {
        return given().contentType(ContentType.JSON).body(body).post(path).then();
    }

    static String instances() {
        return "{\"instances\": " + EXPECTED.get("instances") + "}";
    }

    @Test
    void explainOnVersionPathMatchesPythonReference() {
        ValidatableResponse r = post(VERSION + ":explain", instances())
                .statusCode(200)
                .contentType(ContentType.JSON)
                .body("explanations", hasSize(2));
        for (int i = 0; i < 2; i++) {
            JsonNode want = EXPECTED.get("explanations").get(i);
            String p = "explanations[" + i + "].attributions_by_label[0].";
            r.body(p + "label_index", equalTo(want.get("label_index").asInt()))
                    .body(p + "output_name", equalTo("probabilities"))
                    .body(p + "example_score", closeTo(want.get("example_score").asDouble(), 1e-5))
                    .body(
                            p + "baseline_score",
                            closeTo(want.get("baseline_score").asDouble(), 1e-5))
                    .body(p + "approx_error", lessThan(0.01))
                    .body(p + "attributions.features", hasSize(5));
            for (int f = 0; f < 5; f++) {
                r.body(
                        p + "attributions.features[" + f + "]",
                        closeTo(want.get("attributions").get(f).asDouble(), 1e-4));
            }
        }
    }

    @Test
    void explainWithoutVersionUsesTheDefaultVersion() {
        String a =
                post(MODEL + ":explain", instances()).statusCode(200).extract().asString();
        String b = post(VERSION + ":explain", instances())
                .statusCode(200)
                .extract()
                .asString();
        assertEquals(b, a, "the model path serves the default version");
    }

    @Test
    void predictReturnsTheModelOutputs() {
        ValidatableResponse r =
                post(VERSION + ":predict", instances()).statusCode(200).body("predictions", hasSize(2));
        for (int i = 0; i < 2; i++) {
            for (int c = 0; c < 3; c++) {
                r.body(
                        "predictions[" + i + "][" + c + "]",
                        closeTo(EXPECTED.get("predictions").get(i).get(c).asDouble(), 1e-5));
            }
        }
        post(MODEL + ":predict", instances()).statusCode(200).body("predictions", hasSize(2));
    }

    @Test
    void namedInputByMetadataKeyOrSignatureKey() {
        String x = EXPECTED.get("instances").get(0).toString();
        post(VERSION + ":explain", "{\"instances\": [{\"features\": " + x + "}]}")
                .statusCode(200)
                .body("explanations[0].attributions_by_label[0].attributions.features", hasSize(5));
    }

    @Test
    void unknownModelOrVersionIs404WithJsonError() {
        post("/v1/projects/p/models/other:explain", instances())
                .statusCode(404)
                .body("error", containsString("model 'other' is not served here"));
        post(MODEL + "/versions/v9:explain", instances()).statusCode(404).body("error", containsString("version 'v9'"));
        post(MODEL + ":frobnicate", instances()).statusCode(404).body("error", containsString(":frobnicate"));
        given().get(VERSION + ":explain").then().statusCode(404).body("error", containsString("no such resource"));
        given().delete(VERSION + ":explain").then().statusCode(405).body("error", containsString("method not allowed"));
        post("/v1/nothing", "{}").statusCode(404).body("$", hasKey("error"));
    }

    @Test
    void badInputIs400WithAClearMessageAndOnlyAnErrorField() {
        Map<String, String> cases = Map.of(
                "{\"instances\": [[1,2,3,4,5]", "not valid JSON",
                "{\"inst\": []}", "no \"instances\"",
                "{\"instances\": []}", "empty",
                "{\"instances\": [[1,2,3]]}", "expected shape [5] but got [3]",
                "{\"instances\": [[1,2,3,4,\"x\"]]}", "expected a number",
                "{\"instances\": [[1,2,3,4,NaN]]}", "not valid JSON",
                "{\"instances\": [[1,2,3,4,1e400]]}", "not a finite number",
                "{\"instances\": [{\"b64\": \"@@not-base64@@\"}]}", "invalid base64",
                "{\"instances\": [{\"colour\": [1,2,3,4,5]}]}", "unknown input 'colour'",
                "[1,2,3]", "must be a JSON object");
        cases.forEach((body, message) -> post(VERSION + ":explain", body)
                .statusCode(400)
                .body("error", containsString(message))
                .body("size()", equalTo(1)));
        // one bad instance fails the whole request
        post(VERSION + ":explain", "{\"instances\": [[1,2,3,4,5], [1,2]]}")
                .statusCode(400)
                .body("error", containsString("instance 1"));
    }

    @Test
    void tooLargeBodyIs413() {
        String big = "{\"instances\": [" + "[1,2,3,4,5],".repeat(200_000) + "[1,2,3,4,5]]}";
        post(VERSION + ":explain", big).statusCode(413).body("error", containsString("larger than the limit"));
    }

    @Test
    void modelAndVersionResourcesDescribeTheServedVersion() {
        given().get(MODEL)
                .then()
                .statusCode(200)
                .body("name", equalTo("projects/p/models/iris"))
                .body("defaultVersion.name", equalTo("projects/p/models/iris/versions/v1"))
                .body("defaultVersion.state", equalTo("READY"))
                .body("defaultVersion.explanationConfig.integratedGradientsAttribution.numIntegralSteps", equalTo(50));
        given().get(VERSION).then().statusCode(200).body("framework", equalTo("TENSORFLOW"));
        given().get(MODEL + "/versions/v2").then().statusCode(404).body("error", containsString("not served here"));
    }

    @Test
    void healthMetricsAndOpenApi() {
        // the model's check sits next to Quarkus' own ("Graceful Shutdown"), in no fixed order
        given().get(Management.url("/q/health/ready"))
                .then()
                .statusCode(200)
                .body("checks.find { it.name == 'model' }.data.model", equalTo("iris"))
                .body("checks.find { it.name == 'model' }.status", equalTo("UP"));
        given().get(Management.url("/q/health/live")).then().statusCode(200);
        post(VERSION + ":explain", instances()).statusCode(200);
        String metrics = given().get(Management.url("/q/metrics"))
                .then()
                .statusCode(200)
                .extract()
                .asString();
        org.hamcrest.MatcherAssert.assertThat(
                metrics,
                containsString(
                        "explainable_requests_seconds_bucket{method=\"integrated-gradients\",outcome=\"success\",verb=\"explain\""));
        given().get("/q/openapi").then().statusCode(200).body(containsString(":explain"));
        org.hamcrest.MatcherAssert.assertThat(List.of(metrics), not(hasSize(0)));
    }
}
