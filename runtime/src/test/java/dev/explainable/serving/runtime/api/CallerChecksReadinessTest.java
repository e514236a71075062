package dev.explainable.serving.runtime.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import dev.explainable.serving.runtime.testing.Management;

/**
 * A runtime whose own ServiceAccount may not create TokenReviews and SubjectAccessReviews (no system:auth-delegator
 * binding) cannot check anyone: it is not ready, and its readiness says what to bind, instead of a Ready pod that
 * answers every call 503.
 */
@QuarkusTest
@TestProfile(CallerChecksReadinessTest.RuntimeWithoutReviewRights.class)
class CallerChecksReadinessTest {

    /** The callers' control plane, the runtime running as the unbound ServiceAccount {@code stranger}. */
    public static class AsStranger extends KubernetesCallers {
        @Override
        public Map<String, String> start() {
            Map<String, String> settings = super.start();
            try {
                System.setProperty(
                        "kubeconfig", kubeconfigAs("elsewhere", "stranger").toString());
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
            return settings;
        }
    }

    public static class RuntimeWithoutReviewRights implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(AsStranger.class));
        }
    }

    @Test
    void notReadyWithTheBindingItLacksAndCallsAreNotLetThrough() {
        Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(60))
                .untilAsserted(() -> given().get(Management.url("/q/health/ready"))
                        .then()
                        .statusCode(503)
                        .body("checks.find { it.name == 'callers' }.status", equalTo("DOWN"))
                        .body(
                                "checks.find { it.name == 'callers' }.data.reason",
                                containsString("may not create tokenreviews and subjectaccessreviews"))
                        .body(
                                "checks.find { it.name == 'callers' }.data.reason",
                                containsString("system:auth-delegator")));
        // liveness is not the place for it: restarting would not grant the binding
        given().get(Management.url("/q/health/live"))
                .then()
                .statusCode(200)
                .body("checks.name", org.hamcrest.Matchers.not(hasItem("callers")));
        String caller = KubernetesCallers.token(KubernetesCallers.NAMESPACE, "caller", KubernetesCallers.AUDIENCE);
        given().header("Authorization", "Bearer " + caller)
                .contentType("application/json")
                .body(PredictionResourceTest.instances())
                .post("/v1/projects/p/models/iris:explain")
                .then()
                .statusCode(503);
    }
}
