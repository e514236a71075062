package dev.explainable.serving.runtime.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.ws.rs.core.Response;

import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import dev.explainable.serving.runtime.work.RequestDeadline;

/**
 * Forwarding a request for another version: only to the configured template with a DNS-label version, marked so
 * that it is not forwarded again, the answer passed through; unreachable versions are a clear 404.
 */
class VersionForwarderTest {

    static final byte[] BODY = "{\"instances\": [1], \"deployedModelId\": \"v2\"}".getBytes(StandardCharsets.UTF_8);

    @Test
    void readsTheDeployedModelIdWithoutTheTree() {
        assertEquals("v2", VertexPredictionResource.deployedModelIdOf(BODY));
        assertEquals(
                "v3",
                VertexPredictionResource.deployedModelIdOf(
                        "{\"instances\": [{\"deployedModelId\": \"x\"}], \"deployedModelId\": \"v3\"}".getBytes()));
        assertNull(VertexPredictionResource.deployedModelIdOf("{\"instances\": [1]}".getBytes()));
        assertNull(VertexPredictionResource.deployedModelIdOf("{\"deployedModelId\": 7}".getBytes()));
        assertNull(VertexPredictionResource.deployedModelIdOf("{not json".getBytes()));
    }

    @Test
    void forwardsToTheVersionsUrlAndPassesItsAnswerThrough() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        AtomicReference<String> seen = new AtomicReference<>();
        server.createContext("/", exchange -> {
            seen.set(exchange.getRequestURI() + " forwarded="
                    + exchange.getRequestHeaders().getFirst(VersionForwarder.FORWARDED_HEADER) + " body="
                    + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            byte[] answer = "{\"deployedModelId\": \"v2\"}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        server.start();
        try {
            int port = server.getAddress().getPort();
            // the version name becomes part of the host name in the cluster; here it picks the path
            VersionForwarder f = new VersionForwarder(Optional.of("http://127.0.0.1:" + port + "/{version}"));
            Response r = f.forward("v2", "/v1/projects/p/locations/l/endpoints/iris:explain", BODY, deadline(), "iris");
            assertEquals(200, r.getStatus());
            assertEquals("{\"deployedModelId\": \"v2\"}", new String((byte[]) r.getEntity(), StandardCharsets.UTF_8));
            assertEquals(
                    "/v2/v1/projects/p/locations/l/endpoints/iris:explain forwarded=1 body=" + new String(BODY),
                    seen.get());
        } finally {
            server.stop(0);
        }
    }

    @Test
    void refusesNamesThatAreNotVersionsAndReportsUnreachableOnes() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        VersionForwarder f = new VersionForwarder(Optional.of("http://127.0.0.1:" + closed + "/{version}"));
        assertTrue(f.enabled());
        Response odd = f.forward("evil.example.com/", "/x", BODY, deadline(), "iris");
        assertEquals(404, odd.getStatus());
        assertTrue(
                error(odd).get("message").toString().contains("DNS labels"),
                error(odd).toString());
        Response gone = f.forward("v9", "/x", BODY, deadline(), "iris");
        assertEquals(404, gone.getStatus());
        assertEquals("NOT_FOUND", error(gone).get("status"));
        // a name no DNS resolves (a version without a Service) is the same 404
        Response unresolved = new VersionForwarder(Optional.of("http://no-such-model-{version}.invalid"))
                .forward("v9", "/x", BODY, deadline(), "iris");
        assertEquals(404, unresolved.getStatus(), error(unresolved).toString());
        assertFalse(new VersionForwarder(Optional.empty()).enabled());
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> error(Response r) {
        return (Map<String, Object>) ((Map<String, Object>) r.getEntity()).get("error");
    }

    static RequestDeadline deadline() {
        return RequestDeadline.after(Duration.ofSeconds(10));
    }
}
