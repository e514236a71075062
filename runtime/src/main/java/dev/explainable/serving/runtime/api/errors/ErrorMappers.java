package dev.explainable.serving.runtime.api.errors;

import java.util.UUID;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import io.vertx.core.http.HttpServerRequest;

/**
 * The API edge: failures become an HTTP status ({@link Failure}'s table) and the contract's error body
 * ({@link ErrorBody}): {@code {"error": "..."}} on AI Platform's URLs, Google's
 * {@code {"error": {"code", "message", "status"}}} on Vertex's. Client errors are not logged above DEBUG; an
 * unexpected failure is logged with an id that the answer carries instead of its internals.
 */
public class ErrorMappers {

    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    public static Response error(HttpServerRequest request, int status, String message) {
        return error(request, status, message, null);
    }

    public static Response error(HttpServerRequest request, int status, String message, Long retryAfterSeconds) {
        Object body = ErrorBody.of(request != null ? request.path() : null, status, message);
        Response.ResponseBuilder b =
                Response.status(status).type(MediaType.APPLICATION_JSON).entity(body);
        if (retryAfterSeconds != null) {
            b.header("Retry-After", retryAfterSeconds);
        }
        return b.build();
    }

    /** The contract's error for a row of the failure table: its status and {@code Retry-After}. */
    public static Response error(HttpServerRequest request, Failure failure, String message) {
        return error(request, failure.status(), message, failure.retryAfterSeconds());
    }

    /** Every failure but the REST layer's own ({@link #web}), by the failure table ({@link Failure#of}). */
    @ServerExceptionMapper
    public Response failure(Exception e, HttpServerRequest request) {
        Failure failure = Failure.of(e);
        if (failure == Failure.INTERNAL) {
            return unexpected(e, request);
        }
        if (e instanceof ApiException && failure.status() >= 500) {
            LOG.warnf("request failed: %s", e.getMessage());
        } else if (failure == Failure.NOT_READY) {
            LOG.debugf("request refused: %s", e.getMessage());
        }
        return error(request, failure, e.getMessage());
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e, HttpServerRequest request) {
        int status = e.getResponse().getStatus();
        String message = switch (status) {
            case 404 ->
                "not found; the endpoints are POST /v1/projects/{project}/models/{model}[/versions/{version}]"
                        + ":explain and :predict (AI Platform), and POST /v1/projects/{project}/locations/{location}"
                        + "/endpoints/{endpoint}:explain and :predict (Vertex AI)";
            case 405 -> "method not allowed; use POST";
            case 406 -> "not acceptable; the API answers application/json";
            case 415 -> "unsupported media type; send Content-Type: application/json";
            default ->
                Response.Status.fromStatusCode(status) != null
                        ? Response.Status.fromStatusCode(status)
                                .getReasonPhrase()
                                .toLowerCase()
                        : "request failed";
        };
        if (status >= 500) {
            return unexpected(e, request);
        }
        return error(request, status, message);
    }

    /** Logged with an id that the answer carries instead of the failure's internals. */
    private Response unexpected(Exception e, HttpServerRequest request) {
        if (request != null && request.response().ended()) {
            // answered already (504 at the deadline, by HttpGuards) while the work's own answer was on its way
            LOG.debugf("answer dropped, the request was answered already: %s", e.toString());
            return error(request, 500, "the request was answered already");
        }
        String id = UUID.randomUUID().toString();
        LOG.errorf(e, "unexpected failure (error id %s)", id);
        return error(request, 500, "internal error (error id " + id + ")");
    }
}
