package dev.explainable.serving.runtime.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.logging.Handler;
import java.util.logging.LogRecord;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/**
 * {@code explain.auth.mode=kubernetes} against a real API server (testkit's ControlPlane, {@link KubernetesCallers}):
 * a ServiceAccount allowed through a RoleBinding to its group gets 200 on {@code :explain}, {@code :predict} and
 * {@code GET /runtime/model}; one without gets 403; no token, a garbage, expired or other-audience token get 401 with
 * {@code WWW-Authenticate: Bearer}; a second call within the cache time makes no TokenReview (the audit log); hostile
 * headers and fuzzed tokens get 401 and no 5xx, and no token reaches the log; the API server stopped gives 503 with
 * {@code Retry-After}, never 200.
 */
@QuarkusTest
@TestProfile(CallerAuthTest.KubernetesAuth.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CallerAuthTest {

    public static class KubernetesAuth implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(KubernetesCallers.class));
        }
    }

    static final String AIP = "/v1/projects/p/models/iris";
    static final String VERTEX = "/v1/projects/p/locations/us-central1/endpoints/iris";

    /** Every log record's formatted message while this class runs. */
    static final List<String> LOG = Collections.synchronizedList(new ArrayList<>());

    static final Handler CAPTURE = new Handler() {
        @Override
        public void publish(LogRecord r) {
            String m = r.getMessage();
            if (r.getParameters() != null && m != null) {
                m = m + " " + java.util.Arrays.toString(r.getParameters());
            }
            LOG.add(String.valueOf(m) + (r.getThrown() != null ? " " + r.getThrown() : ""));
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    /** Tokens sent in this class, to look for in the log. */
    static final List<String> SENT = Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    static void captureLog() {
        java.util.logging.Logger.getLogger("").addHandler(CAPTURE);
        // the audit lines do not reach the root's handlers in tests (application.properties)
        java.util.logging.Logger.getLogger(dev.explainable.serving.runtime.api.audit.CallAudit.CATEGORY)
                .addHandler(CAPTURE);
    }

    @AfterAll
    static void releaseLog() {
        java.util.logging.Logger.getLogger("").removeHandler(CAPTURE);
        java.util.logging.Logger.getLogger(dev.explainable.serving.runtime.api.audit.CallAudit.CATEGORY)
                .removeHandler(CAPTURE);
    }

    @BeforeEach
    void ready() {
        ReadyModel.await();
    }

    static RequestSpecification as(String token) {
        SENT.add(token);
        return given().header("Authorization", "Bearer " + token);
    }

    static Response post(RequestSpecification spec, String path) {
        return spec.contentType(ContentType.JSON)
                .body(PredictionResourceTest.instances())
                .post(path);
    }

    @Test
    @Order(1)
    void aCallerAllowedThroughItsGroupIsServed() {
        String caller = KubernetesCallers.token(KubernetesCallers.NAMESPACE, "caller", KubernetesCallers.AUDIENCE);
        post(as(caller), AIP + ":explain").then().statusCode(200);
        post(as(caller), AIP + ":predict").then().statusCode(200);
        post(as(caller), VERTEX + ":explain").then().statusCode(200);
        post(as(caller), VERTEX + ":predict").then().statusCode(200);
        as(caller).get("/runtime/model").then().statusCode(200).body("model", equalTo("iris"));
        // the page's static files need no token; its data does
        given().get("/").then().statusCode(200);
        given().get("/runtime/model").then().statusCode(401);
        given().get(AIP).then().statusCode(401);
        given().get(VERTEX).then().statusCode(401);
        as(caller).get(AIP).then().statusCode(200);
        as(caller).get(VERTEX).then().statusCode(200);
    }

    @Test
    @Order(2)
    void aCallerWithoutABindingIsDenied() {
        String stranger = KubernetesCallers.token("elsewhere", "stranger", KubernetesCallers.AUDIENCE);
        post(as(stranger), AIP + ":explain")
                .then()
                .statusCode(403)
                .body("error", org.hamcrest.Matchers.containsString("may not create explainablemodels/explain"));
        post(as(stranger), VERTEX + ":predict")
                .then()
                .statusCode(403)
                .body("error.code", equalTo(403))
                .body("error.status", equalTo("PERMISSION_DENIED"));
        as(stranger).get("/runtime/model").then().statusCode(403);
    }

    @Test
    @Order(3)
    void missingRefusedExpiredAndOtherAudienceTokensAre401() throws Exception {
        unauthenticated(given(), AIP + ":explain").body("error", notNullValue());
        unauthenticated(given(), VERTEX + ":explain")
                .body("error.code", equalTo(401))
                .body("error.status", equalTo("UNAUTHENTICATED"));
        unauthenticated(as("not-a-token"), AIP + ":predict");
        String otherAudience = KubernetesCallers.token(KubernetesCallers.NAMESPACE, "caller", "someone-else");
        unauthenticated(as(otherAudience), AIP + ":predict");
        String expired = KubernetesCallers.signedToken(Instant.now().minusSeconds(600));
        unauthenticated(as(expired), AIP + ":predict");
        // the same token, signed the same way but not expired, is accepted: the expiry is what refused it
        String fresh = KubernetesCallers.signedToken(Instant.now().plusSeconds(600));
        post(as(fresh), AIP + ":predict").then().statusCode(200);
    }

    static io.restassured.response.ValidatableResponse unauthenticated(RequestSpecification spec, String path) {
        return post(spec, path).then().statusCode(401).header("WWW-Authenticate", equalTo("Bearer"));
    }

    @Test
    @Order(4)
    void aSecondCallWithinTheCacheTimeMakesNoTokenReview() throws Exception {
        String caller = KubernetesCallers.token(KubernetesCallers.NAMESPACE, "caller", KubernetesCallers.AUDIENCE);
        long before = KubernetesCallers.tokenReviews();
        post(as(caller), AIP + ":predict").then().statusCode(200);
        long afterFirst = awaitReviews(before + 1);
        assertEquals(before + 1, afterFirst, "the first call reviews the token once");
        post(as(caller), AIP + ":predict").then().statusCode(200);
        post(as(caller), AIP + ":explain").then().statusCode(200);
        Thread.sleep(500);
        assertEquals(afterFirst, KubernetesCallers.tokenReviews(), "calls within the cache time review no token");
    }

    private static long awaitReviews(long atLeast) throws Exception {
        long until = System.currentTimeMillis() + 5_000;
        long n = KubernetesCallers.tokenReviews();
        while (n < atLeast && System.currentTimeMillis() < until) {
            Thread.sleep(100);
            n = KubernetesCallers.tokenReviews();
        }
        return n;
    }

    @Test
    @Order(5)
    void hostileHeadersAndFuzzedTokensAre401AndNeverLogged() throws Exception {
        String oversized = "a".repeat(17 * 1024);
        long before = KubernetesCallers.tokenReviews();
        unauthenticated(as(oversized), AIP + ":explain");
        for (String header : List.of(
                "Basic eDp5",
                "Bearer",
                "Bearer ",
                "Bearer  two-spaces",
                "Bearer a b",
                "Bearer\tx",
                "bearer \u00e9t\u00e9",
                "Bearer é",
                "Token abc",
                "Bearer ====",
                "Bearer a=b")) {
            post(given().header("Authorization", header), AIP + ":explain")
                    .then()
                    .statusCode(401)
                    .header("WWW-Authenticate", equalTo("Bearer"));
        }
        assertEquals(before, KubernetesCallers.tokenReviews(), "malformed headers never reach the API server");
        // past the HTTP codec's header limit (quarkus.http.limits.max-header-size, 20 KiB): the codec refuses it
        // (431, or the connection closed while the header is still being sent), never a 5xx
        int huge = rawStatus("Bearer " + "b".repeat(64 * 1024));
        assertTrue(huge == -1 || huge == 431, "64 KiB header: " + huge);

        Random random = new Random(21);
        String token68 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/";
        int fuzzed = 10_000;
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < fuzzed; i++) {
            StringBuilder t = new StringBuilder();
            int n = 1 + random.nextInt(i % 10 == 0 ? 2_000 : 120);
            for (int j = 0; j < n; j++) {
                // mostly token characters (reaching the API server), some anything printable (refused here)
                t.append(
                        random.nextInt(20) == 0
                                ? (char) (0x21 + random.nextInt(0x5e))
                                : token68.charAt(random.nextInt(token68.length())));
            }
            if (i % 3 == 0) {
                t.insert(0, "eyJhbGciOiJSUzI1NiJ9.");
            }
            tokens.add(t.toString());
        }
        SENT.addAll(tokens);
        // eight callers at once (a refusal closes its connection, so each call is a new one)
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1)
                .build();
        byte[] body = PredictionResourceTest.instances().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        java.util.concurrent.ExecutorService callers = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            List<java.util.concurrent.Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < fuzzed; i++) {
                String token = tokens.get(i);
                String path = i % 2 == 0 ? AIP + ":explain" : VERTEX + ":predict";
                answers.add(callers.submit(() -> http.send(
                                java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                                                "http://127.0.0.1:" + io.restassured.RestAssured.port + path))
                                        .header("Content-Type", "application/json")
                                        .header("Authorization", "Bearer " + token)
                                        .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body))
                                        .build(),
                                java.net.http.HttpResponse.BodyHandlers.discarding())
                        .statusCode()));
            }
            for (int i = 0; i < fuzzed; i++) {
                assertEquals(401, answers.get(i).get(60, java.util.concurrent.TimeUnit.SECONDS), "fuzzed token " + i);
            }
        } finally {
            callers.shutdownNow();
        }
    }

    /** The status of a POST sent on a plain socket, or -1 when the server closed the connection unanswered. */
    static int rawStatus(String authorization) throws java.io.IOException {
        byte[] body = PredictionResourceTest.instances().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", io.restassured.RestAssured.port)) {
            socket.setSoTimeout(10_000);
            String head = "POST " + AIP + ":explain HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length + "\r\nAuthorization: " + authorization + "\r\n\r\n";
            try {
                socket.getOutputStream().write(head.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
                socket.getOutputStream().write(body);
            } catch (java.net.SocketException closed) {
                // the server refused the header while it was being sent; its answer may still be readable
            }
            java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(
                    socket.getInputStream(), java.nio.charset.StandardCharsets.ISO_8859_1));
            String status;
            try {
                status = in.readLine();
            } catch (java.net.SocketException reset) {
                return -1;
            }
            return status == null ? -1 : Integer.parseInt(status.split(" ")[1]);
        }
    }

    @Test
    @Order(6)
    void withTheApiServerStoppedCallsGet503NeverA200() {
        String unused = KubernetesCallers.token(KubernetesCallers.NAMESPACE, "caller", KubernetesCallers.AUDIENCE);
        KubernetesCallers.stopControlPlane();
        for (String path : List.of(AIP + ":explain", AIP + ":predict", VERTEX + ":explain")) {
            post(as(unused), path)
                    .then()
                    .statusCode(503)
                    .header("Retry-After", notNullValue())
                    .statusCode(not(equalTo(200)));
        }
        as(unused).get("/runtime/model").then().statusCode(503);
        post(as("an-uncached-token-abcdef"), VERTEX + ":predict")
                .then()
                .statusCode(503)
                .body("error.status", equalTo("UNAVAILABLE"));
    }

    @Test
    @Order(7)
    void decisionsAreCountedPerModel() {
        String metrics = given().get(dev.explainable.serving.runtime.testing.Management.url("/q/metrics"))
                .then()
                .statusCode(200)
                .extract()
                .asString();
        for (String decision : List.of("allowed", "denied", "unauthenticated", "unavailable")) {
            assertTrue(
                    metrics.lines()
                            .anyMatch(l -> l.startsWith("explainable_auth_total{")
                                    && l.contains("decision=\"" + decision + "\"")
                                    && l.contains("model=\"iris\"")
                                    && !l.endsWith(" 0.0")),
                    decision + " counted: "
                            + metrics.lines()
                                    .filter(l -> l.contains("explainable_auth"))
                                    .toList());
        }
    }

    @Test
    @Order(7)
    void everyCallHasAnAuditLineNamingTheCallerTheApiServerVerified() {
        List<String> calls;
        synchronized (LOG) {
            calls = LOG.stream().filter(l -> l.startsWith("call caller=")).toList();
        }
        assertTrue(
                calls.stream()
                        .anyMatch(l -> l.startsWith("call caller=system:serviceaccount:models:caller caller_uid=")
                                && !l.startsWith("call caller=system:serviceaccount:models:caller caller_uid=- ")
                                && l.contains(" verb=explain ")
                                && l.contains(" status=200 ")),
                "an allowed explanation: " + calls.size() + " lines");
        assertTrue(
                calls.stream()
                        .anyMatch(l -> l.startsWith("call caller=system:serviceaccount:elsewhere:stranger ")
                                && l.contains(" status=403 ")),
                "a denied caller is named: " + calls.size() + " lines");
        assertTrue(
                calls.stream().anyMatch(l -> l.startsWith("call caller=- caller_uid=- ") && l.contains(" status=401 ")),
                "an unauthenticated call");
        assertTrue(calls.stream().anyMatch(l -> l.contains(" status=503 ")), "a call the API server could not check");
    }

    @Test
    @Order(8)
    void noTokenSentReachedTheLog() {
        List<String> log;
        synchronized (LOG) {
            log = List.copyOf(LOG);
        }
        assertTrue(
                log.stream().anyMatch(l -> l.contains("caller not verified, answered 503")),
                "the log was captured: " + log.size() + " records");
        // tokens of 12 characters or more (shorter ones cannot be told from other text), found by their first 12
        // characters at every place of every line: one pass over the log for all of them
        java.util.Map<String, List<String>> byPrefix = new java.util.HashMap<>();
        for (String token : List.copyOf(SENT)) {
            if (token.length() >= 12) {
                byPrefix.computeIfAbsent(token.substring(0, 12), k -> new ArrayList<>())
                        .add(token);
            }
        }
        for (String line : log) {
            for (int i = 0; i + 12 <= line.length(); i++) {
                List<String> candidates = byPrefix.get(line.substring(i, i + 12));
                if (candidates != null) {
                    for (String token : candidates) {
                        assertFalse(line.startsWith(token, i), "a token in the log: " + line);
                    }
                }
            }
        }
    }
}
