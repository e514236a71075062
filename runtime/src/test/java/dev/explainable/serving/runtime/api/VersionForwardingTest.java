package dev.explainable.serving.runtime.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

import dev.explainable.serving.runtime.api.http.ForwardedMark;
import dev.explainable.serving.runtime.testing.Management;

/**
 * Forwarding through the running runtime's Vertex URL, to another version played by the JDK's HTTP server: only for
 * this model's endpoint and to the versions its versions file lists (404 otherwise, and nothing reaches the other
 * server), the answer passed through only with that version's mark (502 without), the mark on this runtime's own
 * answers to forwarded requests, the forward limit (one here) answered 429 in Google's error shape while the other
 * version still computes, the request's deadline (2 s here) answered 504, and the forwards' metrics.
 */
@QuarkusTest
@TestProfile(VersionForwardingTest.Forwarding.class)
class VersionForwardingTest {

    static final String EXPLAIN = "/v1/projects/p/locations/us-central1/endpoints/iris:explain";
    static final String X = "[0.3, -1.2, 2.0, 0.7, -0.4]";

    /**
     * The other versions: {@code v2} answers at once, {@code slow} when released, {@code stuck} never, each with its
     * runtime's mark; {@code plain} is a server that answers 200 JSON without one. Whatever it is asked is in
     * {@link #SEEN}.
     */
    static final class Upstream {
        static final List<String> SEEN = new CopyOnWriteArrayList<>();
        static volatile CountDownLatch release = new CountDownLatch(1);
        static final HttpServer SERVER = start();

        private static HttpServer start() {
            try {
                HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
                server.setExecutor(Executors.newCachedThreadPool(r -> {
                    Thread t = new Thread(r, "other-version");
                    t.setDaemon(true);
                    return t;
                }));
                server.createContext("/", exchange -> {
                    String path = exchange.getRequestURI().getPath();
                    exchange.getRequestBody().readAllBytes();
                    SEEN.add(path + " " + exchange.getRequestHeaders().getFirst(ForwardedMark.FORWARDED_HEADER));
                    try {
                        if (path.startsWith("/slow/")) {
                            release.await(20, TimeUnit.SECONDS);
                        } else if (path.startsWith("/stuck/")) {
                            Thread.sleep(20_000);
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    String version = path.substring(1, path.indexOf('/', 1));
                    byte[] answer = ("{\"explanations\": [], \"deployedModelId\": \"" + version + "\"}")
                            .getBytes(StandardCharsets.UTF_8);
                    exchange.getResponseHeaders().add("Content-Type", "application/json");
                    if (!version.equals("plain")) {
                        exchange.getResponseHeaders().add(ForwardedMark.SERVED_BY_HEADER, "iris/" + version);
                    }
                    try {
                        exchange.sendResponseHeaders(200, answer.length);
                        exchange.getResponseBody().write(answer);
                    } catch (IOException e) {
                        // the forwarder hung up
                    }
                    exchange.close();
                });
                server.start();
                return server;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Model iris's versions file: v1 (this runtime), v2, slow, stuck and plain; not v7. */
    static final Path VERSIONS = versionsFile();

    private static Path versionsFile() {
        try {
            Path file = Files.createTempFile("versions", "");
            file.toFile().deleteOnExit();
            return Files.writeString(file, "v1\nv2\nslow\nstuck\nplain\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static class Forwarding implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "explain.routing.versions-file",
                    VERSIONS.toString(),
                    "explain.routing.version-url",
                    "http://127.0.0.1:" + Upstream.SERVER.getAddress().getPort() + "/{version}",
                    "explain.routing.max-concurrent-forwards",
                    "1",
                    "explain.limits.deadline",
                    "2s");
        }
    }

    @BeforeEach
    void ready() {
        ReadyModel.await();
    }

    static Response explain(String deployedModelId) {
        return explain(EXPLAIN, deployedModelId);
    }

    static Response explain(String path, String deployedModelId) {
        return given().contentType("application/json")
                .body("{\"instances\": [" + X + "], \"deployedModelId\": \"" + deployedModelId + "\"}")
                .post(path);
    }

    @Test
    void anotherVersionsRequestIsForwardedAndItsAnswerPassedThrough() {
        explain("v2").then().statusCode(200).body("deployedModelId", equalTo("v2"));
        assertTrue(Upstream.SEEN.contains("/v2" + EXPLAIN + " 1"), Upstream.SEEN.toString());
        // this version's own requests are answered here, unmarked
        explain("v1")
                .then()
                .statusCode(200)
                .body("deployedModelId", equalTo("v1"))
                .header(ForwardedMark.SERVED_BY_HEADER, nullValue());
        // a forwarded request is not forwarded again; every answer to one carries this runtime's mark
        given().contentType("application/json")
                .header(ForwardedMark.FORWARDED_HEADER, "1")
                .body("{\"instances\": [" + X + "], \"deployedModelId\": \"v2\"}")
                .post(EXPLAIN)
                .then()
                .statusCode(404)
                .header(ForwardedMark.SERVED_BY_HEADER, "iris/v1")
                .body("error.status", equalTo("NOT_FOUND"));
        given().contentType("application/json")
                .header(ForwardedMark.FORWARDED_HEADER, "1")
                .body("{\"instances\": [" + X + "], \"deployedModelId\": \"v1\"}")
                .post(EXPLAIN)
                .then()
                .statusCode(200)
                .header(ForwardedMark.SERVED_BY_HEADER, "iris/v1")
                .body("deployedModelId", equalTo("v1"));
    }

    @Test
    void anotherEndpointsRequestIs404AndNeverForwarded() {
        int before = Upstream.SEEN.size();
        for (String version : List.of("v2", "v1", "v7")) {
            explain(EXPLAIN.replace("/iris:", "/other-model:"), version)
                    .then()
                    .statusCode(404)
                    .body("error.code", equalTo(404))
                    .body("error.status", equalTo("NOT_FOUND"))
                    .body(
                            "error.message",
                            equalTo("endpoint 'other-model' is not served here (this endpoint serves model 'iris')"));
        }
        explain(EXPLAIN.replace("/iris:explain", "/other-model:predict"), "v2")
                .then()
                .statusCode(404)
                .body("error.status", equalTo("NOT_FOUND"));
        assertEquals(before, Upstream.SEEN.size(), "nothing reached another server: " + Upstream.SEEN);
    }

    @Test
    void aVersionTheFileDoesNotListIs404WithoutANetworkCall() {
        int before = Upstream.SEEN.size();
        explain("v7")
                .then()
                .statusCode(404)
                .body("error.status", equalTo("NOT_FOUND"))
                .body("error.message", equalTo("deployed model 'v7' is not a version of model 'iris'"));
        assertEquals(before, Upstream.SEEN.size(), "nothing reached another server: " + Upstream.SEEN);
    }

    @Test
    void anAnswerWithoutTheVersionsMarkIsNotPassedThrough() {
        int before = Upstream.SEEN.size();
        Response r = explain("plain");
        r.then()
                .statusCode(502)
                .body("error.code", equalTo(502))
                .body("error.status", equalTo("INTERNAL"))
                .body("error.message", containsString("not its runtime"));
        assertFalse(r.asString().contains("explanations"), r.asString());
        assertEquals(before + 1, Upstream.SEEN.size(), "it was asked, once: " + Upstream.SEEN);
    }

    @Test
    void pastTheForwardLimitA429WhileTheOtherVersionComputes() throws Exception {
        Upstream.release = new CountDownLatch(1);
        int before = Upstream.SEEN.size();
        CompletableFuture<Response> first = CompletableFuture.supplyAsync(() -> explain("slow"));
        long until = System.currentTimeMillis() + 10_000;
        while (Upstream.SEEN.size() == before) {
            assertTrue(System.currentTimeMillis() < until, "the first forward did not arrive");
            Thread.sleep(20);
        }
        explain("v2")
                .then()
                .statusCode(429)
                .header("Retry-After", "1")
                .body("error.code", equalTo(429))
                .body("error.status", equalTo("RESOURCE_EXHAUSTED"))
                .body("error.message", containsString("explain.routing.max-concurrent-forwards"));
        // local work has its own slots
        explain("v1").then().statusCode(200);
        Upstream.release.countDown();
        assertEquals(200, first.get(10, TimeUnit.SECONDS).statusCode());
        explain("v2").then().statusCode(200);
    }

    @Test
    void aForwardPastTheDeadlineIs504AndCounted() {
        long start = System.nanoTime();
        explain("stuck")
                .then()
                .statusCode(504)
                .body("error.status", equalTo("DEADLINE_EXCEEDED"))
                .body("error.message", containsString("explain.limits.deadline"));
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(tookMillis >= 1800 && tookMillis < 4000, "took " + tookMillis + " ms");
        String metrics = given().get(Management.url("/q/metrics")).asString();
        assertTrue(
                metrics.contains("explainable_forwards_seconds_count{outcome=\"deadline_exceeded\"}"),
                metrics.lines().filter(l -> l.contains("forward")).toList().toString());
        assertTrue(metrics.contains("explainable_admission_running{verb=\"forward\"} 0.0"));
    }
}
