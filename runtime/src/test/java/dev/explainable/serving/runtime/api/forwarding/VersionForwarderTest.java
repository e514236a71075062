package dev.explainable.serving.runtime.api.forwarding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.ws.rs.core.Response;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import dev.explainable.serving.runtime.api.http.AdmissionControl;
import dev.explainable.serving.runtime.api.http.ForwardedMark;
import dev.explainable.serving.runtime.testing.TestOptions;
import dev.explainable.serving.runtime.work.Admission;
import dev.explainable.serving.runtime.work.RequestDeadline;

/**
 * Forwarding a request for another version, against real HTTP servers on loopback: only to a version the versions
 * file lists (404 without a network call otherwise, 503 without a readable file; re-read when the kubelet swaps it),
 * to the configured template with a DNS-label version, marked so that it is not forwarded again, the answer passed
 * through only when it carries that version's mark (502 otherwise, none of it passed on); and bounded like
 * local work: the forward limit (429), the deadline (504, the connection to the other version closed), the client
 * leaving and the shutdown cut-off (503, closed likewise), the body and answer sizes, and the other version's
 * failures as Google API errors of this runtime's own words (503 for a refused connection, 404 for a name no DNS
 * resolves).
 */
class VersionForwarderTest {

    static final byte[] BODY = "{\"instances\": [1], \"deployedModelId\": \"v2\"}".getBytes(StandardCharsets.UTF_8);
    static final String PATH = "/v1/projects/p/locations/l/endpoints/iris:explain";
    static final String ANSWER = "{\"deployedModelId\": \"v2\"}";

    private RawUpstream upstream;

    @AfterEach
    void stop() throws IOException {
        RequestDeadline.resetStop();
        if (upstream != null) {
            upstream.close();
        }
    }

    @Test
    void readsTheDeployedModelIdWithoutTheTree() {
        assertEquals("v2", VersionForwarder.deployedModelIdOf(BODY));
        assertEquals(
                "v3",
                VersionForwarder.deployedModelIdOf(
                        "{\"instances\": [{\"deployedModelId\": \"x\"}], \"deployedModelId\": \"v3\"}".getBytes()));
        assertNull(VersionForwarder.deployedModelIdOf("{\"instances\": [1]}".getBytes()));
        assertNull(VersionForwarder.deployedModelIdOf("{\"deployedModelId\": 7}".getBytes()));
        assertNull(VersionForwarder.deployedModelIdOf("{not json".getBytes()));
    }

    @Test
    void forwardsToTheVersionsUrlAndPassesItsAnswerThrough() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        AtomicReference<String> seen = new AtomicReference<>();
        server.createContext("/", exchange -> {
            seen.set(exchange.getRequestURI() + " forwarded="
                    + exchange.getRequestHeaders().getFirst(ForwardedMark.FORWARDED_HEADER) + " authorization="
                    + exchange.getRequestHeaders().getFirst("Authorization") + " body="
                    + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            byte[] answer = ANSWER.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.getResponseHeaders().add(ForwardedMark.SERVED_BY_HEADER, "iris/v2");
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        server.start();
        try {
            int port = server.getAddress().getPort();
            // the version name becomes part of the host name in the cluster; here it picks the path
            Admission forwards = forwards(2);
            VersionForwarder f = forwarder("http://127.0.0.1:" + port + "/{version}", forwards);
            Response r = f.forward("v2", PATH, BODY, deadline());
            assertEquals(200, r.getStatus());
            assertEquals(ANSWER, new String((byte[]) r.getEntity(), StandardCharsets.UTF_8));
            assertEquals("/v2" + PATH + " forwarded=1 authorization=null body=" + new String(BODY), seen.get());
            // the caller's Authorization header travels with the forward: the other version authorizes it itself
            assertEquals(
                    200,
                    f.forward("v2", PATH, BODY, "Bearer abc.def", deadline()).getStatus());
            assertEquals(
                    "/v2" + PATH + " forwarded=1 authorization=Bearer abc.def body=" + new String(BODY), seen.get());
            assertEquals(0, forwards.running());
        } finally {
            server.stop(0);
        }
    }

    @Test
    void refusesNamesThatAreNotVersionsAndNamesNoDnsResolves() throws Exception {
        VersionForwarder f = forwarder("http://127.0.0.1:" + closedPort() + "/{version}", forwards(2));
        assertTrue(f.enabled());
        Response odd = f.forward("evil.example.com/", "/x", BODY, deadline());
        assertEquals(404, odd.getStatus());
        assertTrue(
                error(odd).get("message").toString().contains("DNS labels"),
                error(odd).toString());
        // a name no DNS resolves (a version without a Service) is a 404
        Response unresolved =
                forwarder("http://no-such-model-{version}.invalid", forwards(2)).forward("v9", "/x", BODY, deadline());
        assertEquals(404, unresolved.getStatus(), error(unresolved).toString());
        assertEquals("NOT_FOUND", error(unresolved).get("status"));
        assertEquals(
                "deployed model 'v9' is not deployed on endpoint 'iris'",
                error(unresolved).get("message"));
        assertFalse(new VersionForwarder(
                        "iris", Optional.empty(), Optional.of(versions()), forwards(1), 1 << 20, 1 << 20, null)
                .enabled());
        // without a versions file nothing is forwarded
        assertFalse(new VersionForwarder(
                        "iris",
                        Optional.of("http://x-{version}"),
                        Optional.empty(),
                        forwards(1),
                        1 << 20,
                        1 << 20,
                        null)
                .enabled());
    }

    @Test
    void aVersionNoPodAcceptsIsUnavailableWithoutItsAddress() throws Exception {
        int closed = closedPort();
        Admission forwards = forwards(2);
        Response gone =
                forwarder("http://127.0.0.1:" + closed + "/{version}", forwards).forward("v9", "/x", BODY, deadline());
        assertEquals(503, gone.getStatus(), error(gone).toString());
        assertEquals("UNAVAILABLE", error(gone).get("status"));
        assertEquals("1", gone.getHeaderString("Retry-After"));
        String message = error(gone).get("message").toString();
        assertTrue(message.startsWith("deployed model 'v9' of endpoint 'iris' is not reachable"), message);
        assertFalse(message.contains("127.0.0.1") || message.contains(String.valueOf(closed)), message);
        assertFalse(message.contains("Exception"), message);
        assertEquals(0, forwards.running());
    }

    @Test
    void pastTheForwardLimitA429AndTheSlotComesBack() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        upstream = RawUpstream.start((n, request, out) -> {
            if (n == 1) {
                release.await(20, TimeUnit.SECONDS);
            }
            out.write(ok(ANSWER));
        });
        Admission forwards = forwards(1);
        VersionForwarder f = forwarder(upstream.template(), forwards);
        CompletableFuture<Response> first =
                CompletableFuture.supplyAsync(() -> f.forward("v2", PATH, BODY, deadline()));
        awaitTrue(() -> upstream.requests() == 1, "the first forward reached the upstream");
        assertEquals(1, forwards.running());

        Response refused = f.forward("v2", PATH, BODY, deadline());
        assertEquals(429, refused.getStatus());
        assertEquals("RESOURCE_EXHAUSTED", error(refused).get("status"));
        assertEquals("1", refused.getHeaderString("Retry-After"));
        assertEquals(
                "too many forwarded requests at once: 1 running (explain.routing.max-concurrent-forwards); retry later",
                error(refused).get("message"));
        assertEquals(1, upstream.requests(), "the refused one never left");

        release.countDown();
        assertEquals(200, first.get(10, TimeUnit.SECONDS).getStatus());
        assertEquals(0, forwards.running());
        assertEquals(200, f.forward("v2", PATH, BODY, deadline()).getStatus());
        assertEquals(1, forwards.rejected());
    }

    @Test
    void aSlowVersionPastTheDeadlineIs504AndItsConnectionIsClosed() throws Exception {
        upstream = RawUpstream.start((n, request, out) -> {
            // never answers; waits for the forwarder to hang up
        });
        Admission forwards = forwards(1);
        VersionForwarder f = forwarder(upstream.template(), forwards);
        long start = System.nanoTime();
        Response late = f.forward("v2", PATH, BODY, RequestDeadline.after(Duration.ofMillis(800)));
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals(504, late.getStatus(), error(late).toString());
        assertEquals("DEADLINE_EXCEEDED", error(late).get("status"));
        assertEquals(
                "deployed model 'v2' of endpoint 'iris' did not answer within the request's deadline of 0.8 s "
                        + "(explain.limits.deadline)",
                error(late).get("message"));
        assertTrue(tookMillis >= 700 && tookMillis < 2000, "took " + tookMillis + " ms");
        assertEquals(0, forwards.running());
        awaitTrue(() -> upstream.hangUps() == 1, "the upstream saw its connection closed (its work is cancelled)");
    }

    @Test
    void aClientThatLeavesCancelsItsForward() throws Exception {
        upstream = RawUpstream.start((n, request, out) -> {});
        VersionForwarder f = forwarder(upstream.template(), forwards(1));
        RequestDeadline deadline = deadline();
        CompletableFuture<Response> forward =
                CompletableFuture.supplyAsync(() -> f.forward("v2", PATH, BODY, deadline));
        awaitTrue(() -> upstream.requests() == 1, "the forward reached the upstream");
        long start = System.nanoTime();
        deadline.cancel("the client closed the connection");
        Response r = forward.get(5, TimeUnit.SECONDS);
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < 1000);
        assertEquals(503, r.getStatus());
        awaitTrue(() -> upstream.hangUps() == 1, "the upstream saw its connection closed");
    }

    @Test
    void shutdownCancelsInFlightForwardsAtTheCutOffAndRefusesNewOnes() throws Exception {
        upstream = RawUpstream.start((n, request, out) -> {});
        // no shutdown delay, 3.5 s timeout: requests still running 0.5 s after SIGTERM are cancelled
        AdmissionControl admission = new AdmissionControl(
                TestOptions.config(), new SimpleMeterRegistry(), Duration.ZERO, Duration.ofMillis(3500));
        VersionForwarder f = forwarder(upstream.template(), admission.forwards());
        CompletableFuture<Response> forward =
                CompletableFuture.supplyAsync(() -> f.forward("v2", PATH, BODY, deadline()));
        awaitTrue(() -> upstream.requests() == 1, "the forward reached the upstream");

        long start = System.nanoTime();
        admission.onShutdownDelay(null);
        Response cancelled = forward.get(5, TimeUnit.SECONDS);
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals(503, cancelled.getStatus(), error(cancelled).toString());
        assertEquals("UNAVAILABLE", error(cancelled).get("status"));
        assertEquals("the server is shutting down", error(cancelled).get("message"));
        assertTrue(tookMillis >= 400 && tookMillis < 1500, "cancelled after " + tookMillis + " ms");
        assertEquals(0, admission.forwards().running());
        awaitTrue(() -> upstream.hangUps() == 1, "the upstream saw its connection closed");

        admission.onShutdown(null);
        Response refused = f.forward("v2", PATH, BODY, deadline());
        assertEquals(503, refused.getStatus());
        assertEquals(
                "the server is shutting down; retry on another replica",
                error(refused).get("message"));
        assertEquals(1, upstream.requests());
    }

    @Test
    void theOtherVersionsErrorsReachTheClientInGooglesShapeOnly() throws Exception {
        String googleError = "{\"error\": {\"code\": 429, \"message\": \"too many explanations at once\", "
                + "\"status\": \"RESOURCE_EXHAUSTED\"}}";
        upstream = RawUpstream.start((n, request, out) -> {
            switch (n) {
                case 1 -> out.write(answer(429, "application/json", "Retry-After: 7\r\n", googleError));
                case 2 -> out.write(answer(502, "text/html", "", "<html>backend 10.1.2.3 failed: stack...</html>"));
                case 3 -> out.write(answer(503, "application/json", "", "{\"error\": \"loading at 10.1.2.3\"}"));
                case 4 -> out.write(answer(302, "text/plain", "Location: http://elsewhere.example/\r\n", ""));
                default -> out.write(answer(200, "text/html", "", "<html>not json</html>"));
            }
        });
        VersionForwarder f = forwarder(upstream.template(), forwards(1));

        Response busy = f.forward("v2", PATH, BODY, deadline());
        assertEquals(429, busy.getStatus());
        assertEquals(googleError, new String((byte[]) busy.getEntity(), StandardCharsets.UTF_8));
        assertEquals("7", busy.getHeaderString("Retry-After"));

        Response html = f.forward("v2", PATH, BODY, deadline());
        assertEquals(502, html.getStatus());
        assertEquals("INTERNAL", error(html).get("status"));
        assertEquals(
                "deployed model 'v2' of endpoint 'iris' answered HTTP 502 without an API error",
                error(html).get("message"));

        Response otherShape = f.forward("v2", PATH, BODY, deadline());
        assertEquals(503, otherShape.getStatus());
        assertEquals("UNAVAILABLE", error(otherShape).get("status"));
        assertEquals("1", otherShape.getHeaderString("Retry-After"));
        assertFalse(error(otherShape).get("message").toString().contains("10.1.2.3"));

        Response redirect = f.forward("v2", PATH, BODY, deadline());
        assertEquals(500, redirect.getStatus());
        assertFalse(
                error(redirect).toString().contains("elsewhere"),
                error(redirect).toString());

        Response notJson = f.forward("v2", PATH, BODY, deadline());
        assertEquals(500, notJson.getStatus());
        assertEquals("INTERNAL", error(notJson).get("status"));
    }

    @Test
    void bodiesAndAnswersAreBounded() throws Exception {
        String big = "{\"deployedModelId\": \"v2\", \"pad\": \"" + "x".repeat(5000) + "\"}";
        upstream = RawUpstream.start((n, request, out) -> out.write(ok(big)));
        Admission forwards = forwards(1);
        VersionForwarder f = new VersionForwarder(
                "iris", Optional.of(upstream.template()), Optional.of(versions()), forwards, BODY.length, 1000, null);

        byte[] tooLong = (new String(BODY, StandardCharsets.UTF_8) + " ").getBytes(StandardCharsets.UTF_8);
        Response refused = f.forward("v2", PATH, tooLong, deadline());
        assertEquals(413, refused.getStatus());
        assertEquals("INVALID_ARGUMENT", error(refused).get("status"));
        assertTrue(error(refused).get("message").toString().contains("explain.max-request-bytes"));
        assertEquals(0, upstream.requests(), "refused before it was sent");

        Response huge = f.forward("v2", PATH, BODY, deadline());
        assertEquals(500, huge.getStatus());
        assertTrue(
                error(huge).get("message").toString().contains("a forwarded answer may have"),
                error(huge).toString());
        assertEquals(0, forwards.running());
    }

    @Test
    void aConnectionClosedBeforeTheAnswerIsTriedOnceMoreOnANewOne() throws Exception {
        upstream = RawUpstream.start((n, request, out) -> {
            if (n == 1) {
                throw new IOException("closing without an answer");
            }
            out.write(ok(ANSWER));
        });
        Response r = forwarder(upstream.template(), forwards(1)).forward("v2", PATH, BODY, deadline());
        assertEquals(200, r.getStatus());
        assertEquals(2, upstream.requests());

        RawUpstream never = RawUpstream.start((n, request, out) -> {
            throw new IOException("closing without an answer");
        });
        try {
            Response twice = forwarder(never.template(), forwards(1)).forward("v2", PATH, BODY, deadline());
            assertEquals(503, twice.getStatus());
            assertEquals(
                    "deployed model 'v2' of endpoint 'iris' closed the connection before answering; retry shortly",
                    error(twice).get("message"));
            assertEquals(2, never.requests(), "one retry, not more");
        } finally {
            never.close();
        }
    }

    @Test
    void onlyTheVersionsTheFileListsAreForwardedTo(@TempDir Path dir) throws Exception {
        upstream = RawUpstream.start((n, request, out) -> {
            // the template's path: POST /<version>/v1/projects/...
            String version = request.substring(6, request.indexOf('/', 6));
            out.write(unmarked(
                    200,
                    "application/json",
                    ForwardedMark.SERVED_BY_HEADER + ": iris/" + version + "\r\n",
                    "{\"deployedModelId\": \"" + version + "\"}"));
        });
        // as the kubelet mounts a ConfigMap: versions -> ..data/versions, ..data -> ..<timestamp>
        Path file = kubeletMount(dir, "v1\nv2\n");
        ModelVersions versions = new ModelVersions(file);
        Admission forwards = forwards(1);
        VersionForwarder f = forwarder(upstream.template(), forwards, versions);

        Response notListed = f.forward("v3", PATH, BODY, deadline());
        assertEquals(404, notListed.getStatus(), error(notListed).toString());
        assertEquals("NOT_FOUND", error(notListed).get("status"));
        assertEquals(
                "deployed model 'v3' is not a version of model 'iris'",
                error(notListed).get("message"));
        assertEquals(0, upstream.requests(), "no network call for a name that is not a version");
        assertEquals(200, f.forward("v2", PATH, BODY, deadline()).getStatus());
        assertEquals(1, upstream.requests());

        // the operator adds v3: the kubelet swaps the folder, and the next request sees it
        swap(dir, "v1\nv2\nv3\n", 2);
        Response added = f.forward("v3", PATH, BODY, deadline());
        assertEquals(200, added.getStatus(), String.valueOf(added.getEntity()));
        assertEquals("{\"deployedModelId\": \"v3\"}", new String((byte[]) added.getEntity(), StandardCharsets.UTF_8));
        // and removes v2
        swap(dir, "v1\nv3\n", 3);
        assertEquals(404, f.forward("v2", PATH, BODY, deadline()).getStatus());
        assertEquals(2, upstream.requests());

        // without a readable file nothing is forwarded: fail closed, 503 in the runtime's words
        Files.delete(dir.resolve("..data"));
        Response unknown = f.forward("v3", PATH, BODY, deadline());
        assertEquals(503, unknown.getStatus());
        assertEquals("UNAVAILABLE", error(unknown).get("status"));
        assertEquals("1", unknown.getHeaderString("Retry-After"));
        String message = error(unknown).get("message").toString();
        assertTrue(message.contains("explain.routing.versions-file"), message);
        assertFalse(message.contains(dir.toString()), message);
        Path large = dir.resolve("large");
        Files.writeString(large, "v3\n" + " ".repeat(64 * 1024));
        assertEquals(
                503,
                forwarder(upstream.template(), forwards, new ModelVersions(large))
                        .forward("v3", PATH, BODY, deadline())
                        .getStatus());
        assertEquals(
                503,
                forwarder(upstream.template(), forwards, new ModelVersions(dir))
                        .forward("v3", PATH, BODY, deadline())
                        .getStatus(),
                "a folder is not a versions file");
        assertEquals(2, upstream.requests());
        assertEquals(0, forwards.running());
    }

    /** The kubelet's layout of a mounted ConfigMap with one key, {@code versions}; returns the key's path. */
    static Path kubeletMount(Path dir, String content) throws IOException {
        Path data = Files.createDirectory(dir.resolve("..1"));
        Files.writeString(data.resolve("versions"), content);
        Files.createSymbolicLink(dir.resolve("..data"), Path.of("..1"));
        return Files.createSymbolicLink(dir.resolve("versions"), Path.of("..data/versions"));
    }

    /** The kubelet's update: a new folder, the {@code ..data} link swapped to it atomically, the old one removed. */
    static void swap(Path dir, String content, int generation) throws IOException {
        Path data = Files.createDirectory(dir.resolve(".." + generation));
        Files.writeString(data.resolve("versions"), content);
        Path link = Files.createSymbolicLink(dir.resolve("..data_tmp"), Path.of(".." + generation));
        Files.move(link, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Path old = dir.resolve(".." + (generation - 1));
        Files.delete(old.resolve("versions"));
        Files.delete(old);
    }

    @Test
    void anAnswerWithoutTheVersionsMarkIsNotPassedOn() throws Exception {
        String secret = "{\"internal\": \"10.1.2.3 admin console\"}";
        String googleError = "{\"error\": {\"code\": 429, \"message\": \"busy\", \"status\": \"RESOURCE_EXHAUSTED\"}}";
        upstream = RawUpstream.start((n, request, out) -> {
            switch (n) {
                case 1 -> out.write(unmarked(200, "application/json", "", secret));
                case 2 ->
                    out.write(unmarked(
                            200, "application/json", ForwardedMark.SERVED_BY_HEADER + ": other/v2\r\n", secret));
                case 3 ->
                    out.write(unmarked(
                            200, "application/json", ForwardedMark.SERVED_BY_HEADER + ": iris/v9\r\n", secret));
                case 4 -> out.write(unmarked(429, "application/json", "Retry-After: 30\r\n", googleError));
                case 5 -> out.write(unmarked(404, "application/json", "", secret));
                default -> out.write(ok(ANSWER));
            }
        });
        Admission forwards = forwards(1);
        VersionForwarder f = forwarder(upstream.template(), forwards);
        for (String what : List.of("no mark", "another model's mark", "another version's mark")) {
            Response r = f.forward("v2", PATH, BODY, deadline());
            assertEquals(502, r.getStatus(), what);
            assertEquals("INTERNAL", error(r).get("status"), what);
            assertEquals(
                    "deployed model 'v2' of endpoint 'iris' answered through something that is not its runtime "
                            + "(HTTP 200, without its mark); the answer is not passed on",
                    error(r).get("message"),
                    what);
            assertFalse(error(r).toString().contains("10.1.2.3"), what);
        }
        Response busy = f.forward("v2", PATH, BODY, deadline());
        assertEquals(503, busy.getStatus(), "a 429 not of the runtime: unavailable, in this runtime's words");
        assertEquals("1", busy.getHeaderString("Retry-After"));
        assertFalse(error(busy).get("message").toString().contains("busy"));
        Response missing = f.forward("v2", PATH, BODY, deadline());
        assertEquals(502, missing.getStatus());
        assertFalse(error(missing).toString().contains("10.1.2.3"));
        // the version's own answer passes
        Response own = f.forward("v2", PATH, BODY, deadline());
        assertEquals(200, own.getStatus());
        assertEquals(ANSWER, new String((byte[]) own.getEntity(), StandardCharsets.UTF_8));
        assertEquals(6, upstream.requests());
        assertEquals(0, forwards.running());
    }

    // ---------------------------------------------------------------------------------------------------------

    static Admission forwards(int max) {
        return new Admission("forwarded requests", "explain.routing.max-concurrent-forwards", max, 0);
    }

    static VersionForwarder forwarder(String template, Admission forwards) {
        return forwarder(template, forwards, versions());
    }

    static VersionForwarder forwarder(String template, Admission forwards, ModelVersions versions) {
        return new VersionForwarder(
                "iris",
                Optional.of(template),
                Optional.of(versions),
                forwards,
                1 << 20,
                VersionForwarder.MAX_ANSWER_BYTES,
                null);
    }

    /** Model iris's versions: v1 (this one), v2 and v9. */
    static ModelVersions versions() {
        try {
            Path file = Files.createTempFile("versions", "");
            file.toFile().deleteOnExit();
            Files.writeString(file, "v1\nv2\nv9\n");
            return new ModelVersions(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> error(Response r) {
        return (Map<String, Object>)
                new ObjectMapper().convertValue(r.getEntity(), Map.class).get("error");
    }

    static RequestDeadline deadline() {
        return RequestDeadline.after(Duration.ofSeconds(10));
    }

    static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static byte[] ok(String json) {
        return answer(200, "application/json", "", json);
    }

    /** An answer of v2's runtime: marked as iris/v2's. */
    static byte[] answer(int status, String type, String headers, String body) {
        return unmarked(status, type, ForwardedMark.SERVED_BY_HEADER + ": iris/v2\r\n" + headers, body);
    }

    /** An answer without a runtime's mark, as any other server gives. */
    static byte[] unmarked(int status, String type, String headers, String body) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        return ("HTTP/1.1 " + status + " X\r\nContent-Type: " + type + "\r\nContent-Length: " + b.length + "\r\n"
                        + headers + "\r\n" + body)
                .getBytes(StandardCharsets.UTF_8);
    }

    interface Check {
        boolean ok() throws Exception;
    }

    static void awaitTrue(Check check, String what) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!check.ok()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out: " + what);
            }
            Thread.sleep(20);
        }
    }

    /**
     * An upstream on a plain socket, so that a test sees what the forwarder does to the connection: each connection
     * serves one request (the n-th overall) through the handler, which writes the raw answer or nothing; after it,
     * the upstream waits for the forwarder to close the connection, and counts that as a hang-up.
     */
    static final class RawUpstream implements AutoCloseable {
        interface Handler {
            void handle(int n, String request, OutputStream out) throws Exception;
        }

        private final ServerSocket server;
        private final AtomicInteger requests = new AtomicInteger();
        private final AtomicInteger hangUps = new AtomicInteger();
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();

        private RawUpstream(ServerSocket server) {
            this.server = server;
        }

        static RawUpstream start(Handler handler) throws IOException {
            RawUpstream u = new RawUpstream(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
            Thread accept = new Thread(() -> u.accept(handler), "raw-upstream");
            accept.setDaemon(true);
            accept.start();
            return u;
        }

        String template() {
            return "http://127.0.0.1:" + server.getLocalPort() + "/{version}";
        }

        int requests() {
            return requests.get();
        }

        int hangUps() {
            return hangUps.get();
        }

        private void accept(Handler handler) {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    sockets.add(s);
                    Thread t = new Thread(() -> serve(s, handler), "raw-upstream-conn");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void serve(Socket s, Handler handler) {
            try (s) {
                InputStream in = s.getInputStream();
                String request = readRequest(in);
                if (request == null) {
                    return;
                }
                int n = requests.incrementAndGet();
                OutputStream out = s.getOutputStream();
                handler.handle(n, request, out);
                out.flush();
                s.setSoTimeout(15_000);
                if (in.read() == -1) {
                    hangUps.incrementAndGet();
                }
            } catch (Exception e) {
                // the handler closes the connection without an answer, or the test ended
            }
        }

        /** The request's head and body (by Content-Length), or null when the connection closed first. */
        private static String readRequest(InputStream in) throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) != -1) {
                head.write(b);
                String h = head.toString(StandardCharsets.ISO_8859_1);
                if (h.endsWith("\r\n\r\n")) {
                    int length = 0;
                    for (String line : h.split("\r\n")) {
                        if (line.toLowerCase().startsWith("content-length:")) {
                            length = Integer.parseInt(line.substring(15).trim());
                        }
                    }
                    return h + new String(in.readNBytes(length), StandardCharsets.UTF_8);
                }
            }
            return null;
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket s : sockets) {
                s.close();
            }
        }
    }
}
