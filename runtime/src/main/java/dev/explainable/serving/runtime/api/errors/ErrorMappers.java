package dev.explainable.serving.runtime.api.errors;

import java.util.UUID;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import io.vertx.core.http.HttpServerRequest;

import dev.explainable.serving.runtime.metadata.MetadataException;
import dev.explainable.serving.runtime.service.ModelNotReadyException;
import dev.explainable.serving.runtime.work.DeadlineExceededException;
import dev.explainable.serving.runtime.work.InvalidRequestException;
import dev.explainable.serving.runtime.work.LimitExceededException;
import dev.explainable.serving.runtime.work.OverloadedException;
import dev.explainable.serving.runtime.work.ResourceExhaustedException;

/**
 * The API edge: domain failures become an HTTP status and the contract's error body: {@code {"error": "..."}} on
 * AI Platform's URLs, Google's {@code {"error": {"code", "message", "status"}}} on Vertex's. Client errors are not
 * logged above DEBUG; an unexpected failure is logged with an id that the answer carries instead of its internals.
 */
public class ErrorMappers {

    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    public static Response error(HttpServerRequest request, int status, String message) {
        return error(request, status, message, null);
    }

    public static Response error(HttpServerRequest request, int status, String message, Integer retryAfterSeconds) {
        Object body = ErrorBody.of(request != null ? request.path() : null, status, message);
        Response.ResponseBuilder b =
                Response.status(status).type(MediaType.APPLICATION_JSON).entity(body);
        if (retryAfterSeconds != null) {
            b.header("Retry-After", retryAfterSeconds);
        }
        return b.build();
    }

    @ServerExceptionMapper
    public Response api(ApiException e, HttpServerRequest request) {
        if (e.status() >= 500) {
            LOG.warnf("request failed: %s", e.getMessage());
        }
        return error(request, e.status(), e.getMessage());
    }

    @ServerExceptionMapper
    public Response limit(LimitExceededException e, HttpServerRequest request) {
        return error(request, 400, e.getMessage());
    }

    @ServerExceptionMapper
    public Response invalidRequest(InvalidRequestException e, HttpServerRequest request) {
        return error(request, 400, e.getMessage());
    }

    /**
     * The request path raises its own exceptions for bad requests; a metadata failure that still surfaces there
     * concerns what the request sent (its instance against the metadata), so it is the client's too.
     */
    @ServerExceptionMapper
    public Response metadata(MetadataException e, HttpServerRequest request) {
        return error(request, 400, e.getMessage());
    }

    @ServerExceptionMapper
    public Response notReady(ModelNotReadyException e, HttpServerRequest request) {
        LOG.debugf("request refused: %s", e.getMessage());
        return error(request, 503, e.getMessage(), 5);
    }

    @ServerExceptionMapper
    public Response overloaded(OverloadedException e, HttpServerRequest request) {
        return error(request, e.stopping() ? 503 : 429, e.getMessage(), (int) e.retryAfterSeconds());
    }

    @ServerExceptionMapper
    public Response deadline(DeadlineExceededException e, HttpServerRequest request) {
        // a cancelled request's client is gone (or the pod is stopping): the answer is for the log and the metrics
        return e.cancelled() ? error(request, 503, e.getMessage(), 1) : error(request, 504, e.getMessage());
    }

    @ServerExceptionMapper
    public Response exhausted(ResourceExhaustedException e, HttpServerRequest request) {
        return error(request, 503, e.getMessage(), 1);
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

    @ServerExceptionMapper
    public Response unexpected(Exception e, HttpServerRequest request) {
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
