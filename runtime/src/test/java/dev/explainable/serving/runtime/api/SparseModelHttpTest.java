package dev.explainable.serving.runtime.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.aMapWithSize;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;

import java.util.Arrays;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;

import dev.explainable.serving.runtime.TestModels;
import dev.explainable.serving.runtime.testing.ServedModelProfile;

/**
 * A sparse input over HTTP ({@code sparse_bag}: a {@code tf.SparseTensorSpec} argument, exported as the signature
 * inputs {@code bag} (indices), {@code bag_1} (values) and {@code bag_2} (dense shape), explained as
 * {@code bag_of_features_sparse}): each instance sends its own SparseTensor as three named inputs; attributions come
 * back by feature name; every request that does not fit is a 400 with the contract's error body.
 */
@QuarkusTest
@TestProfile(SparseModelHttpTest.SparseBag.class)
class SparseModelHttpTest {

    public static class SparseBag extends ServedModelProfile {
        public SparseBag() {
            super("sparse_bag", "reviews");
        }
    }

    static final String VERSION = "/v1/projects/p/models/reviews/versions/v1";
    static final String VERTEX = "/v1/projects/p/locations/us-central1/endpoints/reviews";
    static final JsonNode EXPECTED = TestModels.expected("sparse_bag");

    @BeforeEach
    void ready() {
        ReadyModel.await();
    }

    static ValidatableResponse post(String path, String body) {
        return given().contentType(ContentType.JSON).body(body).post(path).then();
    }

    static String instance(JsonNode want) {
        return "{\"bag\": " + want.get("indices") + ", \"bag_1\": " + want.get("values") + ", \"bag_2\": [8]}";
    }

    static String instances() {
        StringBuilder b = new StringBuilder("{\"instances\": [");
        for (JsonNode want : EXPECTED.get("explanations")) {
            b.append(b.charAt(b.length() - 1) == '[' ? "" : ", ").append(instance(want));
        }
        return b.append("]}").toString();
    }

    @Test
    void explainAnswersByFeatureNameWithGradientTapesNumbers() {
        ValidatableResponse r = post(VERSION + ":explain", instances()).statusCode(200);
        for (int i = 0; i < EXPECTED.get("explanations").size(); i++) {
            JsonNode want = EXPECTED.get("explanations").get(i);
            String p = "explanations[" + i + "].attributions_by_label[0].";
            double scale = 0;
            for (JsonNode v : want.get("attributions")) {
                scale = Math.max(scale, Math.abs(v.asDouble()));
            }
            r.body(p + "label_index", equalTo(want.get("label_index").asInt()))
                    .body(p + "output_name", equalTo("sentiment"))
                    .body(p + "example_score", closeTo(want.get("example_score").asDouble(), 1e-5))
                    .body(
                            p + "baseline_score",
                            closeTo(want.get("baseline_score").asDouble(), 1e-5))
                    .body(p + "approx_error", lessThan(0.01))
                    // only the features the instance stores
                    .body(
                            p + "attributions.terms",
                            aMapWithSize(want.get("features").size()));
            for (int k = 0; k < want.get("features").size(); k++) {
                r.body(
                        p + "attributions.terms." + want.get("features").get(k).asText(),
                        closeTo(want.get("attributions").get(k).asDouble(), 1e-4 * scale));
            }
        }
    }

    @Test
    void predictAndVertexExplainTakeTheSameInstances() {
        ValidatableResponse r = post(VERSION + ":predict", instances())
                .statusCode(200)
                .body("predictions", hasSize(EXPECTED.get("predictions").size()));
        for (int i = 0; i < EXPECTED.get("predictions").size(); i++) {
            for (int c = 0; c < 3; c++) {
                r.body(
                        "predictions[" + i + "][" + c + "]",
                        closeTo(EXPECTED.get("predictions").get(i).get(c).asDouble(), 1e-5));
            }
        }
        JsonNode want = EXPECTED.get("explanations").get(0);
        post(VERTEX + ":explain", "{\"instances\": [" + instance(want) + "]}")
                .statusCode(200)
                .body("predictions", hasSize(1))
                .body(
                        "explanations[0].attributions[0].featureAttributions.terms."
                                + want.get("features").get(1).asText(),
                        closeTo(want.get("attributions").get(1).asDouble(), 1e-4));
    }

    static void refused(String instance, String message) {
        post(VERSION + ":explain", "{\"instances\": [" + instance + "]}")
                .statusCode(400)
                .contentType(ContentType.JSON)
                .body("error", containsString(message))
                .body("error", not(containsString("Exception")))
                .body("error", not(containsString("serving_default")));
    }

    @Test
    void requestsThatDoNotFitAreRefusedWithTheContractsErrorBody() {
        refused(
                "{\"bag\": [[0], [2]], \"bag_1\": [1.0, 2.0, 0.5], \"bag_2\": [8]}",
                "has 3 values ('bag_1') but 2 indices ('bag')");
        refused("{\"bag\": [[0], [8]], \"bag_1\": [1.0, 2.0], \"bag_2\": [8]}", "is outside the dense shape [8]");
        refused("{\"bag\": [[0], [2]], \"bag_1\": [1.0, 2.0], \"bag_2\": [9]}", "has 8 features");
        refused("{\"bag\": [[3], [2]], \"bag_1\": [1.0, 2.0], \"bag_2\": [8]}", "row-major order without repeats");
        refused("{\"bag\": [[1, 2]], \"bag_1\": [1.0], \"bag_2\": [1, 8]}", "every index starts with 0");
        refused("{\"bag\": [[0]], \"bag_1\": [1.0]}", "missing input(s) [bag_2]");
        refused("{\"bag\": [[9223372036854775807]], \"bag_1\": [1.0], \"bag_2\": [8]}", "outside the dense shape");
        String many = "{\"bag\": " + Arrays.toString(new int[5000]).replace("0", "[0]") + ", \"bag_1\": "
                + Arrays.toString(new float[5000]) + ", \"bag_2\": [8]}";
        refused(many, "explain.limits.max-free-dimension");
        // Vertex's URLs answer Google's error shape
        given().contentType(ContentType.JSON)
                .body("{\"instances\": [{\"bag\": [[0], [8]], \"bag_1\": [1.0, 2.0], \"bag_2\": [8]}]}")
                .post(VERTEX + ":explain")
                .then()
                .statusCode(400)
                .body("error.status", equalTo("INVALID_ARGUMENT"))
                .body("error.message", containsString("outside the dense shape"));
    }

    @Test
    void theDescriptionNamesTheThreeRequestInputs() {
        given().get("/runtime/model")
                .then()
                .statusCode(200)
                .body("inputs[0].name", equalTo("terms"))
                .body("inputs[0].encoding", equalTo("bag_of_features_sparse"))
                .body("inputs[0].request_input", equalTo("bag_1"))
                .body("inputs[0].indices_request_input", equalTo("bag"))
                .body("inputs[0].dense_shape_request_input", equalTo("bag_2"))
                .body("inputs[0].feature_names", hasSize(8))
                .body("$", not(hasKey("sample_instance")));
    }
}
