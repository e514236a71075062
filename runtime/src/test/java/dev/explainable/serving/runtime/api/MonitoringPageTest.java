package dev.explainable.serving.runtime.api;

import static io.restassured.RestAssured.given;

import java.net.URL;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import dev.explainable.serving.runtime.TestModels;
import dev.explainable.serving.runtime.metadata.MetadataLoader;

/**
 * The page of the tabular classifier with attribution monitoring on (windows of 10, no baseline): after 30
 * explanations and the page's own, headless Chromium shows a table per label of the last full window, its top feature,
 * share and drift equal to {@code GET /runtime/model/attributions}.
 */
@QuarkusTest
@TestProfile(MonitoringPageTest.Monitored.class)
class MonitoringPageTest {

    public static class Monitored implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("explain.monitoring.sample-rate", "1", "explain.monitoring.window-size", "10");
        }
    }

    @TestHTTPResource("/")
    URL base;

    @BeforeEach
    void ready() {
        ReadyModel.await();
    }

    @Test
    void thePageShowsTheLastWindowsTopFeaturesAndTheirDrift() throws Exception {
        PageScript.assumeBrowser();
        for (int i = 0; i < 3; i++) {
            StringBuilder instances = new StringBuilder();
            for (int k = 0; k < 10; k++) {
                instances
                        .append(k == 0 ? "" : ",")
                        .append("[")
                        .append(0.1 * k - i)
                        .append(", -1.2, 2.0, ")
                        .append(0.3 * k)
                        .append(", -0.4]");
            }
            given().contentType("application/json")
                    .body("{\"instances\": [" + instances + "]}")
                    .post("/v1/projects/p/models/iris:explain")
                    .then()
                    .statusCode(200);
        }
        JsonNode expected = TestModels.expected("tabular_classifier");
        String label = MetadataLoader.load(TestModels.dir("tabular_classifier").resolve(MetadataLoader.FILE_NAME))
                .outputs()
                .get("probabilities")
                .indexNameMapping()
                .get(expected.get("explanations").get(0).get("label_index").asInt());
        String expectations = "{\"kind\": \"tabular\", \"label\": \"" + label + "\", \"warning\": false, "
                + "\"monitoring\": true, \"shotUntil\": \"#monitoring\", \"values\": "
                + expected.get("instances").get(0) + "}";
        PageScript.viewer(base, expectations, PageScript.screenshot("page-monitoring.png"));
    }
}
