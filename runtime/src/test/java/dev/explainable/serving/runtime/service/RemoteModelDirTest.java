package dev.explainable.serving.runtime.service;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.hasKey;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import dev.explainable.serving.runtime.storage.ObjectStoreServers;
import dev.explainable.serving.runtime.testing.Management;

/**
 * {@code EXPLAIN_MODEL_DIR=gs://bucket/path java -jar ...}: the runtime fetches the model from a real Cloud Storage
 * server into its cache folder, then loads and serves it.
 */
@QuarkusTest
@TestProfile(RemoteModelDirTest.FromGcs.class)
@EnabledIf("dev.explainable.serving.runtime.storage.ObjectStoreServers#available")
class RemoteModelDirTest {

    public static class FromGcs implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("explain.model.dir", "gs://models/iris", "explain.model.name", "iris");
        }

        @Override
        public java.util.List<TestResourceEntry> testResources() {
            return java.util.List.of(new TestResourceEntry(FakeGcs.class));
        }
    }

    /** fake-gcs-server holding the committed model as gs://models/iris and a half upload as gs://models/half. */
    public static class FakeGcs implements QuarkusTestResourceLifecycleManager {
        private ObjectStoreServers.Server server;

        @Override
        public Map<String, String> start() {
            try {
                Path data = Files.createTempDirectory("gcs-data");
                ObjectStoreServers.copyModel("tabular_classifier", data.resolve("models/iris"));
                ObjectStoreServers.copyModel("tabular_classifier", data.resolve("models/half"));
                Files.delete(data.resolve("models/half/saved_model.pb"));
                server = ObjectStoreServers.fakeGcs(data);
                return Map.of(
                        "explain.storage.gcs.endpoint", server.endpoint(),
                        "explain.storage.anonymous", "true",
                        "explain.storage.cache-dir",
                                Files.createTempDirectory("model-cache").toString());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void stop() {
            if (server != null) {
                server.close();
            }
        }
    }

    @Test
    void fetchesThenServes() {
        awaitState("UP");
        given().get(Management.url("/q/health/ready")).then().statusCode(200);
        given().contentType("application/json")
                .body("{\"instances\": [[0.3, -1.2, 2.0, 0.7, -0.4]]}")
                .post("/v1/projects/p/models/iris:explain")
                .then()
                .statusCode(200)
                .body("explanations[0]", hasKey("attributions_by_label"));
    }

    /** Waits while the model loads (or is fetched): until readiness is {@code UP}, or the model state {@code failed}. */
    static void awaitState(String wanted) {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            String body = given().header("Connection", "close")
                    .get(Management.url("/q/health/ready"))
                    .asString()
                    .replaceAll("\\s+", "");
            if (("UP".equals(wanted)
                    ? body.startsWith("{\"status\":\"UP\"")
                    : body.contains("\"state\":\"" + wanted + "\""))) {
                return;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        throw new AssertionError("not " + wanted + ": "
                + given().get(Management.url("/q/health/ready")).asString());
    }

    public static class HalfUpload extends FromGcs {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("explain.model.dir", "gs://models/half", "explain.model.name", "iris");
        }
    }
}
