package dev.explainable.serving.runtime.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import jakarta.ws.rs.core.Response;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

import dev.explainable.serving.runtime.api.description.RuntimeModelResource;
import dev.explainable.serving.runtime.api.errors.ErrorBody;
import dev.explainable.serving.runtime.api.errors.ErrorMappers;
import dev.explainable.serving.runtime.service.ModelHost;
import dev.explainable.serving.runtime.service.ModelNotReadyException;
import dev.explainable.serving.runtime.testing.Management;
import dev.explainable.serving.runtime.testing.TestOptions;

/** {@code GET /runtime/model} on the tabular classifier, and its 503 while the model is not ready. */
@QuarkusTest
class RuntimeModelResourceTest {

    @BeforeEach
    void ready() {
        ReadyModel.await();
    }

    @Test
    void describesTheServedModel() {
        given().get("/runtime/model")
                .then()
                .statusCode(200)
                .contentType(ContentType.JSON)
                .header("Content-Security-Policy", containsString("default-src 'none'"))
                .body("model", equalTo("iris"))
                .body("version", equalTo("v1"))
                .body("method.name", equalTo("integrated-gradients"))
                .body("method.parameters.integral_steps", equalTo(50))
                .body("method.parameters.integration_rule", equalTo("trapezoid"))
                .body("request_inputs", hasSize(1))
                .body("request_inputs[0].name", equalTo("features"))
                .body("request_inputs[0].dtype", equalTo("float32"))
                .body("request_inputs[0].shape", contains(5))
                .body("request_inputs[0].explained_input", equalTo("features"))
                .body("request_inputs[0].sample", contains(0.0, 0.0, 0.0, 0.0, 0.0))
                .body("inputs[0].name", equalTo("features"))
                .body("inputs[0].tensor_name", equalTo("serving_default_features:0"))
                .body("inputs[0].request_input", equalTo("features"))
                .body("inputs[0].modality", equalTo("numeric"))
                .body("inputs[0].encoding", equalTo("identity"))
                .body("inputs[0].baselines", contains(0.0))
                .body("inputs[0]", not(hasKey("visualization")))
                .body("inputs[0]", not(hasKey("feature_names")))
                .body("inputs[0]", not(hasKey("encoded_tensor_name")))
                .body("outputs[0].name", equalTo("probabilities"))
                .body("outputs[0].shape", contains(3))
                .body("outputs[0].label_names", contains("setosa", "versicolor", "virginica"))
                .body("sample_instance", contains(0.0, 0.0, 0.0, 0.0, 0.0))
                // the CPU build of TensorFlow: one CPU device, no GPU
                .body("device", equalTo("CPU"))
                .body("devices", hasSize(1))
                .body("devices[0].type", equalTo("CPU"))
                .body("devices[0].name", equalTo("/job:localhost/replica:0/task:0/device:CPU:0"));
        org.hamcrest.MatcherAssert.assertThat(
                given().get(Management.url("/q/metrics"))
                        .then()
                        .statusCode(200)
                        .extract()
                        .asString(),
                org.hamcrest.Matchers.allOf(
                        containsString("explainable_model_devices{type=\"CPU\"} 1.0"),
                        containsString("explainable_model_devices{type=\"GPU\"} 0.0"),
                        // no run has run out of memory
                        containsString("explainable_model_fitted_rows_per_run 0.0")));
    }

    @Test
    void answers503WithTheReasonWhileTheModelLoads() {
        ModelHost loading = new ModelHost(TestOptions.config("explain.model.name", "iris"));
        RuntimeModelResource resource = new RuntimeModelResource(loading);
        ModelNotReadyException e = assertThrows(ModelNotReadyException.class, resource::describe);
        Response r = new ErrorMappers().failure(e, null); // no request: the AI Platform shape
        assertEquals(503, r.getStatus());
        assertEquals(new ErrorBody.AiPlatformError("model 'iris' is still loading; retry shortly"), r.getEntity());
    }
}
