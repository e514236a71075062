package dev.explainable.serving.runtime.service;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

import dev.explainable.serving.runtime.testing.Management;

/**
 * {@code EXPLAIN_MODEL_DIR=gs://...} naming a half-uploaded folder: nothing is loaded, and the runtime stays alive
 * and unready, its readiness check saying why (explain.exit-on-load-failure is off outside the operator's pods).
 */
@QuarkusTest
@TestProfile(RemoteModelDirTest.HalfUpload.class)
@EnabledIf("dev.explainable.serving.runtime.storage.ObjectStoreServers#available")
class RemoteModelDirFailureTest {

    @Test
    void staysUpUnreadySayingWhy() {
        RemoteModelDirTest.awaitState("failed");
        given().get(Management.url("/q/health/ready"))
                .then()
                .statusCode(503)
                .body("checks.find { it.name == 'model' }.data.state", equalTo("failed"))
                .body(
                        "checks.find { it.name == 'model' }.data.reason",
                        containsString("fetching gs://models/half: not a SavedModel folder: no saved_model.pb"));
        given().get(Management.url("/q/health/live")).then().statusCode(200);
        given().contentType("application/json")
                .body("{\"instances\": [[0.3, -1.2, 2.0, 0.7, -0.4]]}")
                .post("/v1/projects/p/models/iris:explain")
                .then()
                .statusCode(503)
                .body(containsString("not a SavedModel folder"));
    }
}
