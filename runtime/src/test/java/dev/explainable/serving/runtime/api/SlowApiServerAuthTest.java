package dev.explainable.serving.runtime.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/**
 * An API server that takes connections and never answers: callers get 503 with {@code Retry-After} once
 * {@code explain.auth.timeout} has passed, never a 200 and never a wait for the request's whole deadline.
 */
@QuarkusTest
@TestProfile(SlowApiServerAuthTest.SilentApiServer.class)
class SlowApiServerAuthTest {

    public static class SilentApiServer implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("explain.auth.timeout", "700ms");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(Silent.class));
        }
    }

    /** Accepts TCP connections and holds them without a byte, as a hung API server does. */
    public static class Silent implements QuarkusTestResourceLifecycleManager {
        private ServerSocket server;
        private final List<Socket> held = new CopyOnWriteArrayList<>();

        @Override
        public Map<String, String> start() {
            try {
                server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                Thread accept = new Thread(
                        () -> {
                            while (!server.isClosed()) {
                                try {
                                    held.add(server.accept());
                                } catch (IOException e) {
                                    return;
                                }
                            }
                        },
                        "silent-api-server");
                accept.setDaemon(true);
                accept.start();
                Path kubeconfig = Files.createTempFile("silent-kubeconfig", ".yaml");
                Files.writeString(kubeconfig, """
                        apiVersion: v1
                        kind: Config
                        clusters: [{name: silent, cluster: {server: "https://127.0.0.1:%d", insecure-skip-tls-verify: true}}]
                        users: [{name: runtime, user: {token: runtime-token}}]
                        contexts: [{name: silent, context: {cluster: silent, user: runtime}}]
                        current-context: silent
                        """.formatted(server.getLocalPort()));
                System.setProperty("kubeconfig", kubeconfig.toString());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            return Map.of("explain.auth.mode", "kubernetes", "explain.auth.namespace", "models");
        }

        @Override
        public void stop() {
            System.clearProperty("kubeconfig");
            try {
                server.close();
                for (Socket s : held) {
                    s.close();
                }
            } catch (IOException e) {
                // closing anyway
            }
        }
    }

    @BeforeEach
    void ready() {
        ReadyModel.await();
    }

    @Test
    void aSilentApiServerGives503AfterTheAuthTimeout() {
        for (String path : List.of(CallerAuthTest.AIP + ":explain", CallerAuthTest.VERTEX + ":predict")) {
            long start = System.nanoTime();
            given().header("Authorization", "Bearer some-token-" + path.length())
                    .contentType(ContentType.JSON)
                    .body(PredictionResourceTest.instances())
                    .post(path)
                    .then()
                    .statusCode(503)
                    .header("Retry-After", equalTo("1"));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis >= 600 && millis < 5_000, "answered after " + millis + " ms");
        }
        given().header("Authorization", "Bearer another-token")
                .get("/runtime/model")
                .then()
                .statusCode(503);
    }
}
