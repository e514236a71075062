package dev.explainable.serving.runtime.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.util.Map;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import dev.explainable.serving.testkit.VertexPython;

/**
 * Vertex's preset FAST (Lucene's HNSW graph, re-ranked exactly) on the same 10,000 rows: recall@10 against the exact
 * numpy search at least 0.95 through the SDK and raw REST, distances exact.
 */
@QuarkusTest
@TestProfile(ExampleNeighborsFastSdkTest.Fast.class)
class ExampleNeighborsFastSdkTest {

    @TestHTTPResource("/")
    URL base;

    public static class Fast implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return ExampleNeighborsSdkTest.profile("approximate");
        }
    }

    @BeforeEach
    void ready() {
        ReadyModel.await();
    }

    @Test
    void fastNeighboursRecallNearlyAllOfTheExactOnes() throws Exception {
        assertEquals(
                "approximate",
                given().get("/runtime/model")
                        .then()
                        .statusCode(200)
                        .extract()
                        .as(JsonNode.class)
                        .get("examples")
                        .get("search")
                        .asText());
        Assumptions.assumeTrue(
                VertexPython.present(), "the Vertex SDK virtualenv is missing (tools/ensure-vertex-sdk.sh)");
        JsonNode r = ExampleNeighborsSdkTest.againstNumpy(base);
        System.out.println("example neighbours, FAST: " + r);
        assertTrue(r.get("recall_sdk").asDouble() >= 0.95, r.toString());
        assertTrue(r.get("recall_rest").asDouble() >= 0.95, r.toString());
    }
}
