package dev.explainable.serving.operator.management;

import java.util.function.BiFunction;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * The management API's HTTP edge, on a Vert.x router (the operator's HTTP server in production, a plain Vert.x server
 * in tests): each call's bearer token becomes a client acting as the caller ({@link CallerClients}), the call runs off
 * the event loop, and every refusal is Google's error body. A call without a token is UNAUTHENTICATED; nothing here
 * acts with the operator's own rights.
 */
public final class ManagementRoutes {

    /** A call: the caller's client and the request, to the answer (a wire record). */
    public interface Call extends BiFunction<KubernetesClient, RoutingContext, Object> {}

    static final long MAX_BODY_BYTES = 1 << 20;
    /**
     * Management calls at once: each holds a worker thread and a client of its own while the API server answers (at
     * most its 10 s timeout), so a burst waits its turn in the callers' retries, not in the operator's memory.
     */
    public static final int MAX_CALLS_IN_FLIGHT = 8;

    private static final Logger LOG = Logger.getLogger(ManagementRoutes.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Router router;
    private final CallerClients clients;
    private final java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(MAX_CALLS_IN_FLIGHT);

    public ManagementRoutes(Router router, CallerClients clients) {
        this.router = router;
        this.clients = clients;
    }

    /** Serves {@code call} at {@code method path} (a Vert.x path with :params). */
    public ManagementRoutes route(HttpMethod method, String path, Call call) {
        // the token is checked before the body is read: a caller without one makes the operator hold nothing
        router.route(method, path).handler(ctx -> {
            if (bearer(ctx) == null) {
                unauthenticated(ctx);
            } else {
                ctx.next();
            }
        });
        router.route(method, path)
                // JSON bodies only: no multipart file is ever written to the operator's disk
                .handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES).setDeleteUploadedFilesOnEnd(true))
                // the body handler's own refusals (413 past the limit) in Google's shape, not Vert.x's empty answer
                .failureHandler(ctx -> error(
                        ctx,
                        ctx.statusCode() == 413
                                ? new GoogleError(413, "INVALID_ARGUMENT", "the request body is over 1 MiB")
                                : GoogleError.invalid("the request could not be read")));
        router.route(method, path).blockingHandler(ctx -> handle(ctx, call), false);
        return this;
    }

    /** The request's bearer token, or null. */
    private static String bearer(RoutingContext ctx) {
        String auth = ctx.request().getHeader("Authorization");
        if (auth == null
                || !auth.regionMatches(true, 0, "Bearer ", 0, 7)
                || auth.substring(7).isBlank()) {
            return null;
        }
        return auth.substring(7).trim();
    }

    private static void unauthenticated(RoutingContext ctx) {
        ctx.response().putHeader("WWW-Authenticate", "Bearer");
        error(
                ctx,
                GoogleError.unauthenticated("a bearer token is required: a Kubernetes token whose RBAC allows"
                        + " the change (gcloud --access-token-file, or the SDK's credentials)"));
    }

    private void handle(RoutingContext ctx, Call call) {
        String token = bearer(ctx);
        if (token == null) {
            unauthenticated(ctx);
            return;
        }
        if (!inFlight.tryAcquire()) {
            ctx.response().putHeader("Retry-After", "1");
            error(ctx, new GoogleError(429, "RESOURCE_EXHAUSTED", "too many management calls at once; retry shortly"));
            return;
        }
        try (KubernetesClient caller = clients.forToken(token)) {
            Object answer = call.apply(caller, ctx);
            ctx.response()
                    .setStatusCode(200)
                    .putHeader("Content-Type", "application/json")
                    .end(JSON.writeValueAsString(answer));
        } catch (GoogleError e) {
            error(ctx, e);
        } catch (KubernetesClientException e) {
            error(ctx, GoogleError.of(e));
        } catch (JsonProcessingException | RuntimeException e) {
            LOG.errorf(
                    e,
                    "management call %s %s failed",
                    ctx.request().method(),
                    ctx.request().path());
            error(ctx, new GoogleError(500, "INTERNAL", "the call failed; the operator's log says why"));
        } finally {
            inFlight.release();
        }
    }

    /** The request's JSON body; INVALID_ARGUMENT when it is not JSON. */
    public static JsonNode body(RoutingContext ctx) {
        try {
            String text = ctx.body() == null ? null : ctx.body().asString();
            return text == null || text.isBlank() ? JSON.createObjectNode() : JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw GoogleError.invalid("Invalid JSON payload received: " + e.getOriginalMessage());
        }
    }

    /** The project, a namespace here. */
    public static String project(RoutingContext ctx) {
        String p = ctx.pathParam("project");
        if (p == null || !p.matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")) {
            throw GoogleError.invalid("the project is a Kubernetes namespace here: lowercase letters, digits and '-'");
        }
        return p;
    }

    private static void error(RoutingContext ctx, GoogleError e) {
        try {
            ctx.response()
                    .setStatusCode(e.httpStatus())
                    .putHeader("Content-Type", "application/json")
                    .end(JSON.writeValueAsString(e.body()));
        } catch (JsonProcessingException never) {
            ctx.response().setStatusCode(e.httpStatus()).end();
        }
    }
}
