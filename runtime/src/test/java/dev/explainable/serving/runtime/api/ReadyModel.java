package dev.explainable.serving.runtime.api;

import static io.restassured.RestAssured.given;

import dev.explainable.serving.runtime.testing.Management;

/** Waits for the readiness probe: the model loads in the background at start-up. */
final class ReadyModel {
    private ReadyModel() {}

    static void await() {
        // JSON numbers as doubles, so closeTo() compares them.
        io.restassured.RestAssured.config = io.restassured.RestAssured.config()
                .jsonConfig(io.restassured.config.JsonConfig.jsonConfig()
                        .numberReturnType(io.restassured.path.json.config.JsonPathConfig.NumberReturnType.DOUBLE));
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline) {
            if (given().get(Management.url("/q/health/ready")).statusCode() == 200) {
                return;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        throw new AssertionError("model did not become ready: "
                + given().get(Management.url("/q/health/ready")).asString());
    }
}
