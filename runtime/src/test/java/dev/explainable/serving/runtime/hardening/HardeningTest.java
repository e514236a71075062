package dev.explainable.serving.runtime.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

import dev.explainable.serving.runtime.testing.Management;
import dev.explainable.serving.runtime.testing.ServedModelProfile;

/**
 * The runtime under hostile requests and overload, on a real free-size image model (the worst case: the request
 * chooses the image size). Limits are set low here so that each bound is reached in seconds.
 */
@QuarkusTest
@TestProfile(HardeningTest.TightLimits.class)
class HardeningTest {

    public static class TightLimits extends ServedModelProfile {
        public TightLimits() {
            super(
                    "fcn_image",
                    "fcn",
                    Map.of(
                            "explain.limits.max-instances",
                            "4",
                            "explain.limits.max-batch-elements",
                            "4194304",
                            "explain.limits.deadline",
                            "4s",
                            "explain.limits.body-timeout",
                            "2s",
                            "explain.admission.max-concurrent-explanations",
                            "1",
                            "explain.admission.max-queued-explanations",
                            "1",
                            "explain.limits.max-requests-per-client",
                            "32"));
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String EXPLAIN = "/v1/projects/p/models/fcn:explain";
    private static final String PREDICT = "/v1/projects/p/models/fcn:predict";
    private static final String VERTEX_EXPLAIN = "/v1/projects/p/locations/l/endpoints/fcn:explain";
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TestHTTPResource("/")
    URL base;

    @BeforeEach
    void ready() throws Exception {
        long until = System.currentTimeMillis() + 120_000;
        while (probe("/q/health/ready").status() != 200) {
            assertTrue(System.currentTimeMillis() < until, "model did not become ready");
            Thread.sleep(200);
        }
    }

    @Test
    void imageBombsAreRefusedFromTheirHeaderBeforeDecoding() throws Exception {
        byte[] bomb = Images.blackPng(10_000, 10_000); // ~100 KB that decode to 1.2 GB of floats
        assertTrue(bomb.length < 400_000, "the bomb is small: " + bomb.length);
        long start = System.nanoTime();
        HttpResponse<String> r = post(EXPLAIN, images(bomb));
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(error(r).contains("explain.limits.max-image-pixels"), r.body());
        assertTrue(System.nanoTime() - start < 2_000_000_000L, "refused from the header, not after decoding");

        HttpResponse<String> claim = post(EXPLAIN, images(Images.headerOnlyPng(30_000, 30_000)));
        assertEquals(400, claim.statusCode(), claim.body());
        assertTrue(error(claim).contains("900000000 pixels"), "long arithmetic, no overflow: " + claim.body());

        byte[] small = Images.blackPng(40, 30);
        HttpResponse<String> truncated = post(EXPLAIN, images(java.util.Arrays.copyOf(small, small.length / 2)));
        assertEquals(400, truncated.statusCode(), truncated.body());
        assertTrue(error(truncated).contains("corrupt or truncated"), truncated.body());
    }

    @Test
    void anInstanceLargerThanOneModelRunIsRefusedBeforeAnyGradient() throws Exception {
        // 1500 x 1500 x 3 = 6.75 M values: within the pixel limit, beyond explain.limits.max-batch-elements
        HttpResponse<String> r = post(EXPLAIN, images(Images.blackPng(1500, 1500)));
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(error(r).contains("explain.limits.max-batch-elements"), r.body());
    }

    @Test
    void instancesOfDifferentSizesArePredictedEachAtItsOwnSize() throws Exception {
        HttpResponse<String> r = post(PREDICT, images(Images.blackPng(32, 32), Images.blackPng(48, 40)));
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(2, JSON.readTree(r.body()).get("predictions").size());
    }

    @Test
    void tooManyInstancesAreRefused() throws Exception {
        byte[] png = Images.blackPng(8, 8);
        HttpResponse<String> r = post(PREDICT, images(png, png, png, png, png));
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(error(r).contains("explain.limits.max-instances"), r.body());
    }

    @Test
    void refusalsOfTheHttpLayerAreJsonErrors() throws Exception {
        int port = base.getPort();
        byte[] body = images(Images.blackPng(8, 8)).getBytes(StandardCharsets.UTF_8);
        RawHttp.Response chunked = RawHttp.send(
                port,
                ("POST " + PREDICT + " HTTP/1.1\r\nHost: localhost\r\n"
                                + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                                + Integer.toHexString(body.length) + "\r\n" + new String(body, StandardCharsets.UTF_8)
                                + "\r\n0\r\n\r\n")
                        .getBytes(StandardCharsets.UTF_8),
                10_000);
        assertJsonError(chunked, 411);
        assertJsonError(
                RawHttp.send(
                        port,
                        RawHttp.request("POST", PREDICT, "application/json", null, "Content-Length: 70000000"),
                        10_000),
                413);
        assertJsonError(RawHttp.send(port, RawHttp.request("POST", PREDICT, "text/plain", body), 10_000), 415);
        assertJsonError(
                RawHttp.send(port, RawHttp.request("POST", PREDICT, "application/x-www-form-urlencoded", body), 10_000),
                415);
        assertJsonError(RawHttp.send(port, RawHttp.request("POST", PREDICT, null, body), 10_000), 415);
        assertJsonError(
                RawHttp.send(
                        port,
                        RawHttp.request(
                                "POST",
                                "/v1/projects/p/models/fcn:explain",
                                "application/json",
                                "{\"instances\": [".getBytes(StandardCharsets.UTF_8)),
                        10_000),
                400);
        assertJsonError(RawHttp.send(port, RawHttp.request("DELETE", PREDICT, "application/json", body), 10_000), 405);
        RawHttp.Response badHost = RawHttp.send(
                port,
                ("GET /q/health/live HTTP/1.1\r\nHost: [::bad\r\n" + "Connection: close\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1),
                10_000);
        assertJsonError(badHost, 400);
    }

    /**
     * The documented exceptions to the JSON body (docs/api.md, limits-and-overload.md#the-http-layer), answered before
     * any of the runtime's code sees the request. Vert.x hands a request its HTTP codec could not parse to the
     * server's invalid-request handler, never to the request handler Quarkus installs (so neither the Router nor
     * {@code HttpGuards} sees it), and Quarkus 3.30 creates and starts that server without a way to set the handler:
     * Vert.x' default answers the status with an empty body and closes the connection. Quarkus' own root handler
     * likewise answers a URI {@code java.net.URI} rejects with an empty 400 before the Router. Should this fail after
     * an upgrade, these answers may have become reachable: make them the contract's JSON and update the docs.
     */
    @Test
    void refusalsBeforeTheRouterAreTheDocumentedExceptions() throws Exception {
        int port = base.getPort();
        // no "Connection: close": RawHttp.send returns only once the server has closed the connection
        String post = " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ";
        assertEmptyRefusal(rawSend(port, "POST " + PREDICT + post + "12abc\r\n\r\n{}"), 400);
        assertEmptyRefusal(rawSend(port, "POST " + VERTEX_EXPLAIN + post + "-5\r\n\r\n{}"), 400);
        assertEmptyRefusal(
                rawSend(port, "GET " + PREDICT + "?q=" + "x".repeat(5000) + " HTTP/1.1\r\nHost: localhost\r\n\r\n"),
                414);
        assertEmptyRefusal(
                rawSend(
                        port,
                        "GET " + PREDICT + " HTTP/1.1\r\nHost: localhost\r\nX-Big: " + "y".repeat(25_000) + "\r\n\r\n"),
                431);
        assertEmptyRefusal(rawSend(port, "GET " + PREDICT + " HTTP/1.1\r\nHost: localhost\r\nNo colon\r\n\r\n"), 400);
        // Quarkus' URI check keeps the connection open: closed here by the request
        assertEmptyRefusal(
                rawSend(
                        port,
                        "GET /v1/projects/p/models/fcn%zz:predict HTTP/1.1\r\nHost: localhost\r\n"
                                + "Connection: close\r\n\r\n"),
                400);
    }

    private static RawHttp.Response rawSend(int port, String wire) throws Exception {
        return RawHttp.send(port, wire.getBytes(StandardCharsets.ISO_8859_1), 10_000);
    }

    private static void assertEmptyRefusal(RawHttp.Response r, int status) {
        assertNotNull(r, "no answer at all");
        assertEquals(status, r.status(), r.head() + "\n" + r.body());
        assertEquals("", r.body(), "a body: Vert.x or Quarkus now answers this itself; see the test's comment");
    }

    @Test
    void everyResponseCarriesTheSecurityHeadersAndThePageRunsNoInlineScript() throws Exception {
        for (String path : List.of("/", "/page.js", "/runtime/model")) {
            HttpResponse<String> r = get(path);
            assertEquals(200, r.statusCode(), path);
            String csp = r.headers().firstValue("Content-Security-Policy").orElse("");
            assertTrue(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"), path + ": " + csp);
            assertEquals("DENY", r.headers().firstValue("X-Frame-Options").orElse(null), path);
            assertEquals(
                    "nosniff", r.headers().firstValue("X-Content-Type-Options").orElse(null), path);
        }
        String page = get("/").body();
        assertFalse(page.contains("<script>") || page.contains("<style>"), "CSP allows no inline script or style");
    }

    @Test
    void slowClientsHoldNoWorkerAndAreCutOffAtTheBodyTimeout() throws Exception {
        List<Socket> slow = new ArrayList<>();
        try {
            for (int i = 0; i < 250; i++) {
                slow.add(slowBody("127.0.0.1"));
            }
            long start = System.nanoTime();
            assertEquals(200, probe("/q/health/ready").status());
            assertTrue(System.nanoTime() - start < 1_000_000_000L, "readiness answers while 250 bodies trickle");
            // another client is answered on the API port: the trickling one has its share of it only
            RawHttp.Response explained = RawHttp.send(
                    base.getPort(),
                    "127.0.0.2",
                    RawHttp.request(
                            "POST",
                            EXPLAIN,
                            "application/json",
                            images(Images.blackPng(16, 16)).getBytes(StandardCharsets.UTF_8)),
                    20_000);
            assertNotNull(explained, "another client got no answer");
            assertEquals(200, explained.status(), explained.body());

            // 32 (explain.limits.max-requests-per-client) waited for their bodies until the body timeout (2 s, not
            // 30 min); the rest were refused at once, their connections given back
            Map<String, Integer> answers = new java.util.TreeMap<>();
            for (Socket s : slow) {
                String text = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                String kind = text.startsWith("HTTP/1.1 408") && text.contains("explain.limits.body-timeout")
                        ? "408 body-timeout"
                        : text.startsWith("HTTP/1.1 429") && text.contains("explain.limits.max-requests-per-client")
                                ? "429 max-requests-per-client"
                                : text.isEmpty() ? "no answer" : text;
                answers.merge(kind, 1, Integer::sum);
            }
            assertEquals(Map.of("408 body-timeout", 32, "429 max-requests-per-client", 218), answers);
        } finally {
            for (Socket s : slow) {
                s.close();
            }
        }
    }

    /**
     * The audit's flood: 250 clients trickling bodies and 200 clients sending valid requests as fast as they are
     * answered, all on the API port. The probes answer on the management port within 1 s each, on a new connection
     * each time as the kubelet opens them, and a client at another address is still answered on the API port.
     */
    @Test
    void probesAndOtherClientsAreAnsweredWhileSlowAndBusyClientsFloodTheApiPort() throws Exception {
        List<Socket> slow = new ArrayList<>();
        ExecutorService busy = Executors.newFixedThreadPool(200);
        AtomicBoolean flooding = new AtomicBoolean(true);
        Map<Integer, AtomicInteger> busyAnswers = new ConcurrentHashMap<>();
        byte[] predict = RawHttp.request(
                "POST",
                PREDICT,
                "application/json",
                images(Images.blackPng(16, 16)).getBytes(StandardCharsets.UTF_8));
        try {
            for (int i = 0; i < 250; i++) {
                slow.add(slowBody("127.0.0.1"));
            }
            for (int i = 0; i < 200; i++) {
                busy.submit(() -> {
                    while (flooding.get()) {
                        try {
                            RawHttp.Response r = RawHttp.send(base.getPort(), "127.0.0.3", predict, 10_000);
                            int status = r == null ? 0 : r.status();
                            busyAnswers
                                    .computeIfAbsent(status, k -> new AtomicInteger())
                                    .incrementAndGet();
                        } catch (Exception e) {
                            busyAnswers
                                    .computeIfAbsent(-1, k -> new AtomicInteger())
                                    .incrementAndGet();
                        }
                    }
                });
            }
            Thread.sleep(1000);
            for (int i = 0; i < 10; i++) {
                for (String path : List.of("/q/health/ready", "/q/health/live")) {
                    long start = System.nanoTime();
                    RawHttp.Response r = probe(path);
                    double seconds = (System.nanoTime() - start) / 1e9;
                    assertEquals(200, r.status(), path + ": " + r.body());
                    assertTrue(seconds < 1, path + " answered in " + seconds + " s during the flood");
                }
                RawHttp.Response other = RawHttp.send(base.getPort(), "127.0.0.2", predict, 10_000);
                assertNotNull(other, "a client at another address got no answer during the flood");
                assertEquals(200, other.status(), other.body());
                Thread.sleep(300);
            }
            assertTrue(
                    busyAnswers.getOrDefault(200, new AtomicInteger()).get() > 0,
                    "the busy clients were answered too: " + busyAnswers);
        } finally {
            flooding.set(false);
            busy.shutdown();
            assertTrue(busy.awaitTermination(30, TimeUnit.SECONDS));
            for (Socket s : slow) {
                s.close();
            }
        }
    }

    /**
     * An answer that takes longer than the body timeout is not cut by it: the audit's false 408 (the body timer ran
     * until the answer instead of until the body had arrived). The body is sent after its headers, as a slow network
     * does, so the timer starts.
     */
    @Test
    void anAnswerTakingLongerThanTheBodyTimeoutIsNotA408() throws Exception {
        byte[] body = images(Images.blackPng(1000, 1000)).getBytes(StandardCharsets.UTF_8); // ~3 s of IG
        long start = System.nanoTime();
        String text;
        try (Socket s = new Socket("localhost", base.getPort())) {
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST " + EXPLAIN + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                            + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            Thread.sleep(300);
            out.write(body);
            out.flush();
            text = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(seconds > 2.2, "ran past the 2 s body timeout: " + seconds + " s");
        // done (200), or stopped by the 4 s deadline on a slow machine (504): never the body timer's 408
        assertTrue(text.startsWith("HTTP/1.1 200") || text.startsWith("HTTP/1.1 504"), text);
        assertFalse(text.contains("explain.limits.body-timeout"), text);
    }

    @Test
    void beyondTheRunningSlotAndTheQueueA429TellsWhenToRetryAndProbesStayFast() throws Exception {
        String large = images(Images.blackPng(1000, 1000)); // ~3 s of IG on 2 cores: holds the one slot
        CompletableFuture<HttpResponse<String>> running = postAsync(EXPLAIN, large);
        awaitMetric("explainable_admission_running{verb=\"explain\"} 1.0");
        CompletableFuture<HttpResponse<String>> queued = postAsync(EXPLAIN, large);
        awaitMetric("explainable_admission_queued{verb=\"explain\"} 1.0");
        awaitMetric("explainable_explanations_in_flight 2.0"); // the autoscaler's per-pod metric: running + queued

        HttpResponse<String> refused = post(EXPLAIN, images(Images.blackPng(16, 16)));
        assertEquals(429, refused.statusCode(), refused.body());
        assertEquals("1", refused.headers().firstValue("Retry-After").orElse(null));
        assertTrue(error(refused).contains("explain.admission.max-concurrent-explanations"), refused.body());

        // predictions and probes do not wait behind explanations
        long start = System.nanoTime();
        assertEquals(200, probe("/q/health/live").status());
        assertEquals(200, probe("/q/health/ready").status());
        assertEquals(200, post(PREDICT, images(Images.blackPng(16, 16))).statusCode());
        assertTrue(System.nanoTime() - start < 1_000_000_000L, "probes and predict answered within 1 s");

        // each long request ends in an answer: done, or stopped at the 4 s deadline (504), never a hang
        for (CompletableFuture<HttpResponse<String>> f : List.of(running, queued)) {
            HttpResponse<String> r = f.get();
            assertTrue(r.statusCode() == 200 || r.statusCode() == 504, r.statusCode() + " " + r.body());
            if (r.statusCode() == 504) {
                assertTrue(error(r).contains("explain.limits.deadline"), r.body());
            }
        }
        assertTrue(metrics().contains("explainable_admission_rejected_total{verb=\"explain\"} "));
    }

    @Test
    void theDeadlineStopsALongExplanationBetweenBatches() throws Exception {
        // 1200 x 1100 pixels at Vertex's most steps (101 points): several times the 4 s deadline on any machine
        Map<String, Object> body = Map.of(
                "instances",
                List.of(Map.of("b64", Base64.getEncoder().encodeToString(Images.blackPng(1200, 1100)))),
                "explanationSpecOverride",
                Map.of("parameters", Map.of("integratedGradientsAttribution", Map.of("stepCount", 100))));
        long start = System.nanoTime();
        HttpResponse<String> r = post(VERTEX_EXPLAIN, JSON.writeValueAsString(body));
        double seconds = (System.nanoTime() - start) / 1e9;
        assertEquals(504, r.statusCode(), abbreviate(r.body()));
        JsonNode error = JSON.readTree(r.body()).get("error");
        assertEquals("DEADLINE_EXCEEDED", error.get("status").asText(), r.body());
        assertTrue(error.get("message").asText().contains("deadline of 4 s"), r.body());
        // answered at the deadline (plus HttpGuards' 0.5 s grace), whatever the batch running then
        assertTrue(seconds < 5.5, "answered at its deadline (4 s), took " + seconds);
    }

    private static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }

    @Test
    void anAbandonedExplanationStopsComputing() throws Exception {
        byte[] body = images(Images.blackPng(1000, 1000)).getBytes(StandardCharsets.UTF_8);
        try (Socket s = new Socket("localhost", base.getPort())) {
            s.getOutputStream().write(RawHttp.request("POST", EXPLAIN, "application/json", body));
            awaitMetric("explainable_admission_running{verb=\"explain\"} 1.0");
        }
        long closed = System.nanoTime();
        awaitMetric("explainable_admission_running{verb=\"explain\"} 0.0");
        double seconds = (System.nanoTime() - closed) / 1e9;
        assertTrue(seconds < 2.5, "slot freed " + seconds + " s after the client left (deadline is 4 s)");
        assertTrue(metrics().contains("outcome=\"cancelled\""), "counted as cancelled");
    }

    @Test
    void blurIgsBlursCountAgainstTheWorkBoundAndATinySigmaIsRefusedNotAnsweredWithNaN() throws Exception {
        // sigma 1000 on 591 x 591 at 100 steps: 101 points of 1 M values, but ~190 s of a core in blurs alone
        HttpResponse<String> wide = post(
                EXPLAIN,
                withOverride(
                        images(Images.blackPng(591, 591)),
                        "{\"integratedGradientsAttribution\": {\"stepCount\": 100,"
                                + " \"blurBaselineConfig\": {\"maxBlurSigma\": 1000}}}"));
        assertEquals(400, wide.statusCode(), "refused up front, not stopped at the 4 s deadline: " + wide.body());
        assertTrue(error(wide).contains("explain.limits.max-request-elements"), wide.body());
        assertTrue(error(wide).contains("maxBlurSigma"), wide.body());

        String blur = "{\"integratedGradientsAttribution\": {\"stepCount\": 20,"
                + " \"blurBaselineConfig\": {\"maxBlurSigma\": %s}}}";
        HttpResponse<String> fits = post(EXPLAIN, withOverride(picture(12, 10), blur.formatted("2")));
        assertEquals(200, fits.statusCode(), fits.body());
        assertFalse(fits.body().contains("NaN"), fits.body());
        // 1e-300 made the kernel 0 * -infinity = NaN, answered 200 with "NaN" scores
        for (String tiny : List.of("1e-300", "0.1")) {
            HttpResponse<String> r = post(EXPLAIN, withOverride(picture(12, 10), blur.formatted(tiny)));
            assertEquals(400, r.statusCode(), r.body());
            assertTrue(error(r).contains("maxBlurSigma must be between 0.125 and 1000"), r.body());
        }
    }

    /** One instance [h, w, 3] of values in [0, 1] as a nested list. */
    private static String picture(int h, int w) throws Exception {
        double[][][] x = new double[h][w][3];
        for (int y = 0; y < h; y++) {
            for (int i = 0; i < w; i++) {
                for (int c = 0; c < 3; c++) {
                    x[y][i][c] = 0.5 + 0.4 * Math.sin(0.7 * (y * w + i) + c);
                }
            }
        }
        return JSON.writeValueAsString(Map.of("instances", List.of((Object) x)));
    }

    /** The request with {@code explanationSpecOverride.parameters}. */
    private static String withOverride(String request, String parameters) throws Exception {
        ObjectNode body = (ObjectNode) JSON.readTree(request);
        body.putObject("explanationSpecOverride").set("parameters", JSON.readTree(parameters));
        return JSON.writeValueAsString(body);
    }

    private static void assertJsonError(RawHttp.Response r, int status) throws Exception {
        assertNotNull(r, "no answer at all");
        assertEquals(status, r.status(), r.head() + "\n" + r.body());
        assertTrue(
                r.header("content-type") != null && r.header("content-type").startsWith("application/json"), r.head());
        JsonNode body = JSON.readTree(r.body());
        assertTrue(body.isObject() && body.size() == 1 && body.get("error").isTextual(), r.body());
    }

    private void awaitMetric(String line) throws Exception {
        long until = System.currentTimeMillis() + 10_000;
        while (!metrics().contains(line)) {
            assertTrue(System.currentTimeMillis() < until, "metric never showed " + line);
            Thread.sleep(20);
        }
    }

    private String metrics() throws Exception {
        return probe("/q/metrics").body();
    }

    /** A management endpoint, on a new connection as the kubelet opens one for each probe. */
    private static RawHttp.Response probe(String path) throws Exception {
        RawHttp.Response r = RawHttp.send(Management.port(), RawHttp.request("GET", path, null, null), 10_000);
        assertNotNull(r, path + ": no answer at all");
        return r;
    }

    /** A client at {@code address} that sends its headers and a few bytes of a 1,000-byte body, then nothing. */
    private Socket slowBody(String address) throws Exception {
        Socket s = new Socket("localhost", base.getPort(), InetAddress.getByName(address), 0);
        s.setSoTimeout(10_000);
        OutputStream out = s.getOutputStream();
        out.write(("POST " + EXPLAIN + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 1000\r\n\r\n{\"inst")
                .getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return s;
    }

    private static String images(byte[]... pngs) throws Exception {
        List<Map<String, String>> instances = new ArrayList<>();
        for (byte[] png : pngs) {
            instances.add(Map.of("b64", Base64.getEncoder().encodeToString(png)));
        }
        return JSON.writeValueAsString(Map.of("instances", instances));
    }

    private static String error(HttpResponse<String> r) throws Exception {
        JsonNode body = JSON.readTree(r.body());
        assertTrue(body.isObject() && body.size() == 1 && body.get("error").isTextual(), r.body());
        return body.get("error").asText();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(base.toString()).resolve(path))
                        .timeout(Duration.ofSeconds(20))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String json) throws Exception {
        return postAsync(path, json).get();
    }

    private CompletableFuture<HttpResponse<String>> postAsync(String path, String json) {
        return HTTP.sendAsync(
                HttpRequest.newBuilder(URI.create(base.toString()).resolve(path))
                        .timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
