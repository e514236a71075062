package dev.explainable.serving.runtime.api;

import java.util.Map;
import java.util.UUID;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import dev.explainable.serving.runtime.metadata.MetadataException;
import dev.explainable.serving.runtime.service.ModelNotReadyException;
import dev.explainable.serving.runtime.work.DeadlineExceededException;
import dev.explainable.serving.runtime.work.InvalidRequestException;
import dev.explainable.serving.runtime.work.LimitExceededException;
import dev.explainable.serving.runtime.work.OverloadedException;
import dev.explainable.serving.runtime.work.ResourceExhaustedException;

/**
 * The API edge: domain failures become an HTTP status and {@code {"error": "..."}}. Client errors are not logged
 * above DEBUG; an unexpected failure is logged with an id that the answer carries instead of its internals.
 */
public class ErrorMappers {

    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    static Response error(int status, String message) {
        return Response.status(status)
                .type(MediaType.APPLICATION_JSON)
                .entity(Map.of("error", message))
                .build();
    }

    @ServerExceptionMapper
    public Response api(ApiException e) {
        if (e.status() >= 500) {
            LOG.warnf("request failed: %s", e.getMessage());
        }
        return error(e.status(), e.getMessage());
    }

    @ServerExceptionMapper
    public Response limit(LimitExceededException e) {
        return error(400, e.getMessage());
    }

    @ServerExceptionMapper
    public Response invalidRequest(InvalidRequestException e) {
        return error(400, e.getMessage());
    }

    /**
     * The request path raises its own exceptions for bad requests; a metadata failure that still surfaces there
     * concerns what the request sent (its instance against the metadata), so it is the client's too.
     */
    @ServerExceptionMapper
    public Response metadata(MetadataException e) {
        return error(400, e.getMessage());
    }

    @ServerExceptionMapper
    public Response notReady(ModelNotReadyException e) {
        LOG.debugf("request refused: %s", e.getMessage());
        return Response.status(503)
                .type(MediaType.APPLICATION_JSON)
                .header("Retry-After", 5)
                .entity(Map.of("error", e.getMessage()))
                .build();
    }

    @ServerExceptionMapper
    public Response overloaded(OverloadedException e) {
        return Response.status(e.stopping() ? 503 : 429)
                .type(MediaType.APPLICATION_JSON)
                .header("Retry-After", e.retryAfterSeconds())
                .entity(Map.of("error", e.getMessage()))
                .build();
    }

    @ServerExceptionMapper
    public Response deadline(DeadlineExceededException e) {
        // a cancelled request's client is gone (or the pod is stopping): the answer is for the log and the metrics
        return e.cancelled()
                ? Response.status(503)
                        .type(MediaType.APPLICATION_JSON)
                        .header("Retry-After", 1)
                        .entity(Map.of("error", e.getMessage()))
                        .build()
                : error(504, e.getMessage());
    }

    @ServerExceptionMapper
    public Response exhausted(ResourceExhaustedException e) {
        return Response.status(503)
                .type(MediaType.APPLICATION_JSON)
                .header("Retry-After", 1)
                .entity(Map.of("error", e.getMessage()))
                .build();
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        String message = switch (status) {
            case 404 ->
                "not found; the endpoints are POST /v1/projects/{project}/models/{model}[/versions/{version}]"
                        + ":explain and :predict";
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
            return unexpected(e);
        }
        return error(status, message);
    }

    @ServerExceptionMapper
    public Response unexpected(Exception e) {
        String id = UUID.randomUUID().toString();
        LOG.errorf(e, "unexpected failure (error id %s)", id);
        return error(500, "internal error (error id " + id + ")");
    }
}
