package dev.explainable.serving.runtime.api.http;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import dev.explainable.serving.runtime.api.errors.ApiException;
import dev.explainable.serving.runtime.api.errors.ErrorBody;
import dev.explainable.serving.runtime.api.errors.Failure;
import dev.explainable.serving.runtime.config.ExplainConfig;
import dev.explainable.serving.runtime.work.RequestDeadline;

/**
 * What every request passes before any application code, on the event loop (no worker is held):
 * <ul>
 * <li>security headers on every response (the page loads only its own scripts, styles and images, cannot be framed);
 * <li>on every answer to a request another version forwarded ({@link ForwardedMark#FORWARDED_HEADER}), this
 * runtime's mark {@code <model>/<version>} ({@link ForwardedMark#SERVED_BY_HEADER}), which the forwarder requires
 * before it passes the answer on;
 * <li>a body announced larger than {@code explain.max-request-bytes} is refused before it is read, and one whose
 * size is not announced (chunked) too;
 * <li>at most {@code explain.limits.max-requests-in-progress} requests are in progress at once, at most
 * {@code explain.limits.max-requests-per-client} of them from one client address ({@link RequestsInProgress}); past
 * either the request gets 503 or 429 and its connection is closed at once, so one client cannot hold the port;
 * <li>a client that has not sent its whole body within {@code explain.limits.body-timeout} gets 408 and its
 * connection closed (slow clients hold a connection, never a worker); the timer ends when the body has arrived
 * ({@link #bodyArrived}), not with the answer, so a long explanation is never cut by it;
 * <li>the request's {@link RequestDeadline} starts at arrival and is cancelled when the connection closes, so an
 * abandoned explanation stops at its next batch;
 * <li>a request still unanswered at its deadline is answered 504 from here, whatever its work is doing (a long
 * TensorFlow run checks the deadline only when it returns), and its connection closed, which stops that work at its
 * next check;
 * <li>failures raised by the HTTP layer itself answer {@code {"error": ...}} as the API's own errors do.
 * </ul>
 */
@ApplicationScoped
public class HttpGuards {

    private static final Logger LOG = Logger.getLogger(HttpGuards.class);
    static final String DEADLINE = "explainable.deadline";
    /** Longest a refused request's remaining body is read before its connection closes anyway. */
    static final long DRAIN_MILLIS = 10_000;
    /**
     * How long after its deadline an unanswered request is answered 504 here: work that checks its deadline answers
     * by itself within this, with its own outcome in the metrics.
     */
    static final long DEADLINE_GRACE_MILLIS = 500;

    private static final String BODY_TIMER = "explainable.body-timer";

    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
            + "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    private final long maxRequestBytes;
    private final Duration bodyTimeout;
    private final Duration deadline;
    private final Vertx vertx;
    private final RequestsInProgress inProgress;
    private final String servedBy;

    public HttpGuards(ExplainConfig config, Vertx vertx) {
        this.servedBy =
                ForwardedMark.servedBy(config.model().name(), config.model().version());
        this.maxRequestBytes = config.maxRequestBytes();
        this.bodyTimeout = config.limits().bodyTimeout();
        this.deadline = config.limits().deadline();
        this.vertx = vertx;
        this.inProgress = new RequestsInProgress(
                config.limits().maxRequestsInProgress(), config.limits().maxRequestsPerClient());
    }

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE + 1).handler(this::guard).failureHandler(this::failure);
    }

    void guard(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        HttpServerResponse response = ctx.response();
        response.putHeader("Content-Security-Policy", CSP);
        response.putHeader("X-Frame-Options", "DENY");
        response.putHeader("X-Content-Type-Options", "nosniff");
        response.putHeader("Referrer-Policy", "no-referrer");
        if (request.getHeader(ForwardedMark.FORWARDED_HEADER) != null) {
            // every answer, refusals included: the forwarding runtime passes on only what this runtime answered
            response.putHeader(ForwardedMark.SERVED_BY_HEADER, servedBy);
        }

        String client =
                request.remoteAddress() != null ? request.remoteAddress().host() : "local";
        switch (inProgress.tryStart(client)) {
            case CLIENT -> {
                // not drained: the point is to give this connection back at once
                refuse(
                        ctx,
                        429,
                        "this client has " + inProgress.maxPerClient() + " requests in progress, the most one client"
                                + " may have (explain.limits.max-requests-per-client); retry when one has been answered",
                        false);
                return;
            }
            case TOTAL -> {
                refuse(
                        ctx,
                        503,
                        "the server has " + inProgress.maxTotal() + " requests in progress, the most it takes"
                                + " (explain.limits.max-requests-in-progress); retry shortly",
                        false);
                return;
            }
            case NONE -> {
                AtomicBoolean counted = new AtomicBoolean(true);
                ctx.addEndHandler(done -> {
                    if (counted.getAndSet(false)) {
                        inProgress.end(client);
                    }
                });
            }
        }

        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length == null && request.method() == HttpMethod.POST && !request.isEnded()) {
            // A chunked body's size is known only once read: refused up front, as its size cannot be checked before
            // Vert.x buffers it (gcloud, Google's SDKs, curl and browsers all send a Content-Length).
            refuse(ctx, 411, "send the request body with a Content-Length header (chunked bodies are not accepted)");
            return;
        }
        if (request.method() == HttpMethod.POST && request.getHeader(HttpHeaders.CONTENT_TYPE) == null) {
            // JAX-RS would take a body without a type as any type; the API takes JSON only
            refuse(ctx, 415, "unsupported media type; send Content-Type: application/json");
            return;
        }
        if (length != null) {
            long announced;
            try {
                announced = Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                announced = -1;
            }
            if (announced < 0) {
                refuse(ctx, 400, "invalid Content-Length header");
                return;
            }
            if (announced > maxRequestBytes) {
                refuse(ctx, 413, ApiException.tooLarge(maxRequestBytes).getMessage());
                return;
            }
        }
        RequestDeadline requestDeadline = RequestDeadline.after(deadline);
        ctx.put(DEADLINE, requestDeadline);
        if (!request.isEnded()) {
            AtomicBoolean arrived = new AtomicBoolean();
            long timer = vertx.setTimer(bodyTimeout.toMillis(), id -> {
                if (!arrived.get() && !request.isEnded() && !response.ended()) {
                    LOG.debugf("body of %s %s not received within %s", request.method(), request.path(), bodyTimeout);
                    refuse(
                            ctx,
                            408,
                            "the request body did not arrive within " + bodyTimeout.toSeconds()
                                    + " s (explain.limits.body-timeout)");
                }
            });
            ctx.put(BODY_TIMER, new BodyTimer(timer, arrived));
            ctx.addEndHandler(done -> vertx.cancelTimer(timer));
        }
        if (request.method() == HttpMethod.POST) {
            long watchdog = vertx.setTimer(deadline.toMillis() + DEADLINE_GRACE_MILLIS, id -> {
                if (!response.ended() && !response.headWritten()) {
                    LOG.debugf("%s %s unanswered at its deadline of %s", request.method(), request.path(), deadline);
                    refuse(ctx, 504, RequestDeadline.overdueMessage(deadline));
                }
            });
            ctx.addEndHandler(done -> vertx.cancelTimer(watchdog));
        }
        // ends with the response, or earlier when the client closes the connection: either way the work may stop
        ctx.addEndHandler(done -> requestDeadline.cancel("the client closed the connection"));
        ctx.next();
    }

    /** Failures the HTTP layer raises (a body over Vert.x' own limit, a malformed Host) as the API's JSON error. */
    void failure(RoutingContext ctx) {
        if (ctx.response().ended() || ctx.response().headWritten()) {
            return;
        }
        int status = ctx.statusCode() >= 400 ? ctx.statusCode() : 500;
        String message = switch (status) {
            case 400 -> "bad request";
            case 404 -> "not found";
            case 405 -> "method not allowed";
            case 411 -> "send the request body with a Content-Length header";
            case 413 -> ApiException.tooLarge(maxRequestBytes).getMessage();
            case 414 -> "request URI too long";
            case 431 -> "request headers too large";
            default -> status < 500 ? "bad request" : "internal error";
        };
        if (status >= 500 && ctx.failure() != null) {
            LOG.error("unexpected failure in the HTTP layer", ctx.failure());
        }
        refuse(ctx, status, message);
    }

    /** The contract's error body for a path: Google's API error on Vertex's URLs, {@code {"error"}} elsewhere. */
    static String errorBody(String path, int status, String message) {
        return ErrorBody.encode(path, status, message);
    }

    /**
     * The whole body has arrived (the resource method has it): the body timer ends here, not with the answer, so
     * that work taking longer than the body timeout is not cut by it. Called on the event loop.
     */
    public static void bodyArrived(RoutingContext ctx) {
        BodyTimer t = ctx.get(BODY_TIMER);
        if (t != null) {
            t.arrived().set(true);
            ctx.vertx().cancelTimer(t.id());
        }
    }

    /** The body timer of a request whose body had not fully arrived when its headers did. */
    private record BodyTimer(long id, AtomicBoolean arrived) {}

    static void refuse(RoutingContext ctx, int status, String message) {
        refuse(ctx, status, message, true);
    }

    /**
     * Answers a row of the failure table in the contract's error body from the HTTP layer (before the REST layer),
     * with its {@code Retry-After}, and closes the connection once a body within the limit has been read.
     */
    public static void refuse(RoutingContext ctx, Failure failure, String message) {
        if (failure.retryAfterSeconds() != null && !ctx.response().headWritten()) {
            ctx.response().putHeader(HttpHeaders.RETRY_AFTER, String.valueOf(failure.retryAfterSeconds()));
        }
        refuse(ctx, failure.status(), message, true);
    }

    /**
     * Answers the contract's error and closes the connection; with {@code drainBody}, a body within the limit that is
     * still arriving is read first (see below).
     */
    static void refuse(RoutingContext ctx, int status, String message, boolean drainBody) {
        HttpServerResponse response = ctx.response();
        if (response.ended() || response.headWritten()) {
            return;
        }
        HttpServerRequest request = ctx.request();
        response.setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
        if ((status == 429 || status == 503) && response.headers().get(HttpHeaders.RETRY_AFTER) == null) {
            response.putHeader(HttpHeaders.RETRY_AFTER, "1");
        }
        // A body within the size limit that is still arriving is read and dropped before the connection closes
        // (bounded by the body timeout): closing on unread bytes makes TCP reset the connection, and the client may
        // lose the answer it was sent. A body over the limit, or one that timed out, is not waited for.
        boolean drain = drainBody && !request.isEnded() && status != 408 && status != 413 && status != 411;
        response.end(errorBody(request.path(), status, message)).onComplete(done -> {
            if (!drain || request.isEnded()) {
                request.connection().close();
            } else {
                request.handler(bytes -> {});
                long cap = ctx.vertx()
                        .setTimer(DRAIN_MILLIS, id -> request.connection().close());
                request.endHandler(end -> {
                    ctx.vertx().cancelTimer(cap);
                    request.connection().close();
                });
                request.resume();
            }
        });
    }

    /** The deadline {@link #guard} started for this request. */
    public static RequestDeadline deadline(RoutingContext ctx) {
        RequestDeadline d = ctx.get(DEADLINE);
        return d != null ? d : RequestDeadline.after(Duration.ofSeconds(60));
    }
}
