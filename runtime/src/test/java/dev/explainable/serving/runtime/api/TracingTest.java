package dev.explainable.serving.runtime.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import dev.explainable.serving.runtime.api.audit.CallAudit;
import dev.explainable.serving.runtime.api.http.ForwardedMark;
import dev.explainable.serving.runtime.monitoring.AttributionMonitor;
import dev.explainable.serving.testkit.OtlpCollector;
import dev.explainable.serving.testkit.OtlpCollector.ReceivedSpan;

/**
 * Traces into a real OpenTelemetry Collector (OTLP/gRPC): a call with the caller's W3C {@code traceparent} is one
 * trace under the caller's span, with the runtime's spans for the admission wait, decoding, the explanation, each
 * TensorFlow run (its rows, and whether it was shared) and rendering; the audit line carries the trace id; a call
 * another version answers passes the trace on in its own {@code traceparent}.
 */
@QuarkusTest
@TestProfile(TracingTest.Traced.class)
class TracingTest {

    static final String EXPLAIN = "/v1/projects/p/locations/us-central1/endpoints/iris:explain";
    static final String X = "[0.3, -1.2, 2.0, 0.7, -0.4]";
    static final String CALLER_SPAN = "00f067aa0ba902b7";

    /** Another version ({@code v2}), played by the JDK's HTTP server: the traceparent headers it was sent. */
    static final List<String> FORWARDED_TRACEPARENTS = new CopyOnWriteArrayList<>();

    static final HttpServer OTHER_VERSION = start();

    private static HttpServer start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/", exchange -> {
                exchange.getRequestBody().readAllBytes();
                String traceparent = exchange.getRequestHeaders().getFirst("traceparent");
                FORWARDED_TRACEPARENTS.add(traceparent == null ? "none" : traceparent);
                byte[] answer = "{\"explanations\": [], \"deployedModelId\": \"v2\"}".getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.getResponseHeaders().add(ForwardedMark.SERVED_BY_HEADER, "iris/v2");
                exchange.sendResponseHeaders(200, answer.length);
                exchange.getResponseBody().write(answer);
                exchange.close();
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The collector, started before the application and stopped after it. */
    public static class Collector implements QuarkusTestResourceLifecycleManager {
        static OtlpCollector collector;

        @Override
        public Map<String, String> start() {
            try {
                collector = OtlpCollector.start(Path.of("target/otel").toAbsolutePath());
            } catch (Exception e) {
                throw new IllegalStateException("the OpenTelemetry Collector did not start", e);
            }
            return Map.of(
                    "quarkus.otel.sdk.disabled", "false",
                    "quarkus.otel.exporter.otlp.traces.endpoint", collector.grpcEndpoint(),
                    // export at once rather than every 5 s
                    "quarkus.otel.bsp.schedule.delay", "50ms");
        }

        @Override
        public void stop() {
            if (collector != null) {
                collector.close();
            }
        }
    }

    public static class Traced implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(Collector.class));
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                Path versions = Files.createTempFile("versions", "");
                versions.toFile().deleteOnExit();
                Files.writeString(versions, "v1\nv2\n");
                return Map.of(
                        // concurrent requests meet in shared runs: admitted together, one run at a time, a wait
                        // every window's drift over its threshold: a warning logged by the worker of the call that ends
                        // it
                        "explain.monitoring.sample-rate",
                        "1",
                        "explain.monitoring.window-size",
                        "10",
                        "explain.monitoring.drift-threshold",
                        "0.000001",
                        "explain.admission.max-concurrent-explanations",
                        "6",
                        "explain.batching.concurrent-runs",
                        "1",
                        "explain.batching.max-wait",
                        "50ms",
                        "explain.routing.versions-file",
                        versions.toString(),
                        "explain.routing.version-url",
                        "http://127.0.0.1:" + OTHER_VERSION.getAddress().getPort() + "/{version}");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    static final Map<String, Object> AUDIT_MDC = Collections.synchronizedMap(new java.util.HashMap<>());
    /** The request and trace ids of the records the monitoring logs on a call's worker thread. */
    static final List<String> WORKER_MDC = new CopyOnWriteArrayList<>();

    static LogCapture audit;
    static LogCapture worker;

    @BeforeAll
    static void capture() {
        audit = LogCapture.on(CallAudit.CATEGORY, r -> {
            Object trace = org.jboss.logging.MDC.get("traceId");
            Object request = org.jboss.logging.MDC.get("audit.request_id");
            if (request != null) {
                AUDIT_MDC.put(String.valueOf(request), trace == null ? "none" : trace);
            }
        });
        worker = LogCapture.on(
                AttributionMonitor.class.getName(),
                r -> WORKER_MDC.add(Thread.currentThread().getName() + " " + org.jboss.logging.MDC.get("requestId")
                        + " " + org.jboss.logging.MDC.get("traceId")));
    }

    @AfterAll
    static void release() {
        audit.close();
        worker.close();
        OTHER_VERSION.stop(0);
    }

    @BeforeEach
    void ready() {
        ReadyModel.await();
    }

    static List<ReceivedSpan> trace(String traceId) throws IOException {
        return Collector.collector.spans().stream()
                .filter(s -> traceId.equals(s.traceId()))
                .toList();
    }

    @Test
    void aCallIsOneTraceUnderTheCallersSpanWithTheRuntimesSpans() throws Exception {
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        given().contentType("application/json")
                .header("traceparent", "00-" + traceId + "-" + CALLER_SPAN + "-01")
                .header(CallAudit.REQUEST_ID, "traced-1")
                .body("{\"instances\": [" + X + "], \"deployedModelId\": \"v1\"}")
                .post(EXPLAIN)
                .then()
                .statusCode(200);
        List<String> expected = List.of("admission", "decode", "explain", "tensorflow run", "render");
        Awaitility.await("the spans in the collector")
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200))
                .until(() ->
                        trace(traceId).stream().map(ReceivedSpan::name).toList().containsAll(expected));
        List<ReceivedSpan> spans = trace(traceId);
        // the server's span is the caller's span's child, and every other span is under it
        ReceivedSpan server = spans.stream()
                .filter(s -> CALLER_SPAN.equals(s.parentId()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no span under the caller's: " + spans));
        assertTrue(server.name().startsWith("POST"), server.toString());
        for (String name : List.of("admission", "decode", "explain")) {
            assertTrue(
                    spans.stream()
                            .filter(s -> s.name().equals(name))
                            .allMatch(s -> s.parentId().equals(server.id())),
                    name + " under the server span: " + spans);
        }
        ReceivedSpan explain = spans.stream()
                .filter(s -> s.name().equals("explain"))
                .findFirst()
                .orElseThrow();
        // the runs: the forward pass and IG's path, each with its rows, one request each here
        List<ReceivedSpan> runs =
                spans.stream().filter(s -> s.name().equals("tensorflow run")).toList();
        assertFalse(runs.isEmpty());
        for (ReceivedSpan r : runs) {
            assertTrue(r.attributes().get("explainable.run.rows").startsWith("Int("), r.toString());
            assertEquals("Int(1)", r.attributes().get("explainable.run.requests"), r.toString());
            assertEquals("Bool(false)", r.attributes().get("explainable.run.shared"), r.toString());
            assertEquals(explain.id(), r.parentId(), r.toString());
        }
        assertTrue(spans.stream()
                .filter(s -> s.name().equals("render"))
                .allMatch(s -> s.parentId().equals(explain.id())));
        // and the audit line (as every record of the call) carries the trace id
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> AUDIT_MDC.containsKey("traced-1"));
        assertEquals(traceId, AUDIT_MDC.get("traced-1"));
        System.out.printf(
                "tracing: %d spans of one call in the collector: %s%n",
                spans.size(), spans.stream().map(ReceivedSpan::name).toList());
    }

    @TestHTTPResource("/")
    java.net.URI root;

    @Test
    void aRunSharedAcrossRequestsSaysSoAndLinksToTheirTraces() throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        List<String> traceIds = new java.util.ArrayList<>();
        List<java.util.concurrent.CompletableFuture<java.net.http.HttpResponse<String>>> calls =
                new java.util.ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String traceId = String.format("%032x", 0xabc0 + i);
            traceIds.add(traceId);
            calls.add(http.sendAsync(
                    java.net.http.HttpRequest.newBuilder(root.resolve(EXPLAIN))
                            .header("Content-Type", "application/json")
                            .header("traceparent", "00-" + traceId + "-" + CALLER_SPAN + "-01")
                            .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                                    "{\"instances\": [" + X + "], \"deployedModelId\": \"v1\"}"))
                            .build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()));
        }
        for (var c : calls) {
            assertEquals(200, c.get().statusCode(), c.get().body());
        }
        // a shared run is in the trace of the request whose thread ran it, and says how many it carried
        Awaitility.await("a shared run's span")
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> Collector.collector.spans().stream()
                        .anyMatch(s -> traceIds.contains(s.traceId())
                                && s.name().equals("tensorflow run")
                                && "Bool(true)".equals(s.attributes().get("explainable.run.shared"))));
        ReceivedSpan shared = Collector.collector.spans().stream()
                .filter(s -> traceIds.contains(s.traceId())
                        && "Bool(true)".equals(s.attributes().get("explainable.run.shared")))
                .findFirst()
                .orElseThrow();
        int requests = Integer.parseInt(
                shared.attributes().get("explainable.run.requests").replaceAll("[^0-9]", ""));
        assertTrue(requests >= 2, shared.toString());
        assertEquals(requests, shared.links().size(), "one link per request it carried: " + shared);
        assertTrue(traceIds.containsAll(shared.links()), shared.toString());
    }

    @Test
    void theWorkersLogRecordsCarryTheCallsRequestAndTraceIds() {
        String traceId = "5bf92f3577b34da6a3ce929d0e0e4736";
        StringBuilder instances = new StringBuilder();
        for (int i = 0; i < 30; i++) {
            instances
                    .append(i == 0 ? "" : ", ")
                    .append("[")
                    .append(i * 0.1)
                    .append(", -1.2, 2.0, 0.7, ")
                    .append(-i * 0.05)
                    .append("]");
        }
        WORKER_MDC.clear();
        given().contentType("application/json")
                .header("traceparent", "00-" + traceId + "-" + CALLER_SPAN + "-01")
                .header(CallAudit.REQUEST_ID, "worker-1")
                .body("{\"instances\": [" + instances + "], \"deployedModelId\": \"v1\"}")
                .post(EXPLAIN)
                .then()
                .statusCode(200);
        // windows of 10 ended during this call: the drift warnings, logged by its worker
        assertFalse(WORKER_MDC.isEmpty(), "no monitoring warning was logged");
        for (String record : WORKER_MDC) {
            assertTrue(record.endsWith(" worker-1 " + traceId), record);
        }
    }

    @Test
    void anotherVersionsCallPassesTheTraceOn() throws Exception {
        String traceId = "0af7651916cd43dd8448eb211c80319c";
        given().contentType("application/json")
                .header("traceparent", "00-" + traceId + "-" + CALLER_SPAN + "-01")
                .body("{\"instances\": [" + X + "], \"deployedModelId\": \"v2\"}")
                .post(EXPLAIN)
                .then()
                .statusCode(200);
        assertTrue(
                FORWARDED_TRACEPARENTS.stream().anyMatch(t -> t.startsWith("00-" + traceId + "-")),
                FORWARDED_TRACEPARENTS.toString());
        String forwardedParent = FORWARDED_TRACEPARENTS.stream()
                .filter(t -> t.startsWith("00-" + traceId + "-"))
                .findFirst()
                .orElseThrow()
                .split("-")[2];
        // the other version's parent is a span of this runtime's, in the caller's trace
        Awaitility.await("the forwarding runtime's spans")
                .atMost(Duration.ofSeconds(30))
                .until(() -> trace(traceId).stream().anyMatch(s -> s.id().equals(forwardedParent)));
        assertTrue(trace(traceId).stream().anyMatch(s -> CALLER_SPAN.equals(s.parentId())));
    }
}
