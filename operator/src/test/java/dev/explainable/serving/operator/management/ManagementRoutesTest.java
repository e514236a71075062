package dev.explainable.serving.operator.management;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;

import dev.explainable.serving.operator.management.ml.MlRoutes;

/**
 * The management API's edge against hostile and unlucky calls, with no API server to ask: every refusal is a 4xx in
 * Google's error shape before any Kubernetes call (no token, a body over 1 MiB, bad JSON, deep nesting, unknown
 * fields, names Kubernetes would refuse, operation ids it never gave), an API server that cannot be reached is
 * UNAVAILABLE without internals, and calls past {@link ManagementRoutes#MAX_CALLS_IN_FLIGHT} wait their turn as 429.
 */
class ManagementRoutesTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static Vertx vertx;
    static String unreachable;
    static String silent;
    static ServerSocket blackHole;
    static final List<Socket> held = java.util.Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        // an API server that refuses connections, and one that accepts them and never answers
        unreachable = serve("http://127.0.0.1:1");
        blackHole = new ServerSocket(0);
        Thread acceptor = new Thread(() -> {
            while (!blackHole.isClosed()) {
                try {
                    held.add(blackHole.accept());
                } catch (IOException closed) {
                    return;
                }
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
        silent = serve("http://127.0.0.1:" + blackHole.getLocalPort());
    }

    static String serve(String apiServer) throws Exception {
        Router router = Router.router(vertx);
        MlRoutes.install(new ManagementRoutes(
                router,
                new CallerClients(new ConfigBuilder().withMasterUrl(apiServer).build())));
        HttpServer server = vertx.createHttpServer()
                .requestHandler(router)
                .listen(0, "127.0.0.1")
                .toCompletionStage()
                .toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
        return "http://127.0.0.1:" + server.actualPort();
    }

    @AfterAll
    static void stop() throws Exception {
        blackHole.close();
        for (Socket s : held) {
            s.close();
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    static HttpResponse<String> call(String base, String method, String path, String token, String body)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(60))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode error(HttpResponse<String> r, int status, String code) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        JsonNode e = JSON.readTree(r.body()).get("error");
        assertThat(e.get("status").asText()).isEqualTo(code);
        assertThat(e.get("code").asInt()).isEqualTo(status);
        return e;
    }

    @Test
    void refusalsComeBeforeAnyKubernetesCallInGooglesShape() throws Exception {
        HttpResponse<String> anonymous = call(unreachable, "GET", "/v1/projects/team-a/models", null, null);
        error(anonymous, 401, "UNAUTHENTICATED");
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).contains("Bearer");
        error(call(unreachable, "GET", "/v1/projects/team-a/models", "", null), 401, "UNAUTHENTICATED");

        String big = "{\"name\": \"" + "a".repeat(1 << 20) + "\"}";
        error(call(unreachable, "POST", "/v1/projects/team-a/models", "t", big), 413, "INVALID_ARGUMENT");
        error(call(unreachable, "POST", "/v1/projects/team-a/models", "t", "{\"name\":"), 400, "INVALID_ARGUMENT");
        error(
                call(unreachable, "POST", "/v1/projects/team-a/models", "t", "[".repeat(100_000)),
                400,
                "INVALID_ARGUMENT");
        assertThat(error(
                                call(
                                        unreachable,
                                        "POST",
                                        "/v1/projects/team-a/models",
                                        "t",
                                        "{\"name\":\"iris\",\"x\":1}"),
                                400,
                                "INVALID_ARGUMENT")
                        .get("message")
                        .asText())
                .contains("Unknown name \"x\"");
        assertThat(error(
                                call(unreachable, "POST", "/v1/projects/team-a/models", "t", "{\"name\":\"Iris_2\"}"),
                                400,
                                "INVALID_ARGUMENT")
                        .get("message")
                        .asText())
                .contains("not a name here");
        error(call(unreachable, "GET", "/v1/projects/Team_A/models", "t", null), 400, "INVALID_ARGUMENT");
        error(call(unreachable, "GET", "/v1/projects/team-a/operations/create_x;rm", "t", null), 404, "NOT_FOUND");
        error(
                call(unreachable, "POST", "/v1/projects/team-a/models/iris/versions/v1:rename", "t", "{}"),
                404,
                "NOT_FOUND");
        error(call(unreachable, "GET", "/v1/projects/team-a/models?pageSize=x", "t", null), 400, "INVALID_ARGUMENT");
    }

    @Test
    void anApiServerThatCannotBeReachedIsUnavailableNeverAGuess() throws Exception {
        JsonNode e = error(call(unreachable, "GET", "/v1/projects/team-a/models/iris", "t", null), 503, "UNAVAILABLE");
        assertThat(e.get("message").asText()).doesNotContain("127.0.0.1").doesNotContain("Exception");
        error(call(unreachable, "POST", "/v1/projects/team-a/models", "t", "{\"name\":\"iris\"}"), 503, "UNAVAILABLE");
    }

    @Test
    void callsPastTheBoundWaitTheirTurnAs429() throws Exception {
        // eight calls hang on an API server that never answers (each until its client's timeout); the ninth is refused
        List<CompletableFuture<HttpResponse<String>>> hanging = new ArrayList<>();
        for (int i = 0; i < ManagementRoutes.MAX_CALLS_IN_FLIGHT; i++) {
            hanging.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return call(silent, "GET", "/v1/projects/team-a/models/iris", "t", null);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        Thread.sleep(1500);
        HttpResponse<String> refused = call(silent, "GET", "/v1/projects/team-a/models/iris", "t", null);
        error(refused, 429, "RESOURCE_EXHAUSTED");
        assertThat(refused.headers().firstValue("Retry-After")).contains("1");
        // each timed out: the request may have reached the API server, so not "unavailable" but "deadline exceeded"
        for (CompletableFuture<HttpResponse<String>> h : hanging) {
            error(h.get(60, TimeUnit.SECONDS), 504, "DEADLINE_EXCEEDED");
        }
        // and once they ended, calls are taken again
        error(call(unreachable, "GET", "/v1/projects/team-a/models/iris", "t", null), 503, "UNAVAILABLE");
    }
}
