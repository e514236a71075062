package dev.explainable.serving.runtime.api;

import java.net.URL;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import dev.explainable.serving.runtime.TestModels;

/**
 * The page of a model that explains by example (embedding_classifier with the 60 examples of
 * examples/example-set/customers.jsonl), in headless Chromium: it calls Vertex's {@code :explain} and shows the
 * nearest examples, their ids and distances as the API answers them, and each example's features as the set has them.
 */
@QuarkusTest
@TestProfile(NeighborsPageTest.WithExamples.class)
class NeighborsPageTest {

    public static class WithExamples implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "explain.model.dir", TestModels.dir("embedding_classifier").toString(),
                    "explain.model.name", "customers",
                    "explain.examples.uris", "../examples/example-set/customers.jsonl",
                    "explain.examples.neighbor-count", "5");
        }
    }

    @TestHTTPResource("/")
    URL base;

    @BeforeEach
    void ready() {
        ReadyModel.await();
    }

    @Test
    void thePageShowsTheNearestExamplesWithTheirFeatures() throws Exception {
        PageScript.assumeBrowser();
        PageScript.run(
                "neighbors.test.mjs",
                base,
                "{\"values\": [0.5, -1, 0.25, 2, -0.5, 1, 0, -2], \"neighbors\": 5}",
                PageScript.screenshot("page-neighbors.png"));
    }
}
