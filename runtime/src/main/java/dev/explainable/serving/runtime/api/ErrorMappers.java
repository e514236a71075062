package dev.explainable.serving.runtime.api;

import java.util.Map;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import dev.explainable.serving.runtime.config.ExplainConfig;
import io.vertx.core.http.HttpServerRequest;

/** Every failure leaves as {@code {"error": "..."}} with a fitting status, never as a stack trace. */
public class ErrorMappers {

    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    private final long maxRequestBytes;

    public ErrorMappers(ExplainConfig config) {
        this.maxRequestBytes = config.maxRequestBytes();
    }

    static Response error(int status, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(Map.of("error", message)).build();
    }

    /** Refuses an announced oversize body before reading it. */
    @ServerRequestFilter(preMatching = true)
    public Response limitBody(HttpServerRequest request) {
        String length = request.getHeader("Content-Length");
        if (length != null) {
            try {
                if (Long.parseLong(length.trim()) > maxRequestBytes) {
                    return error(413, RequestReader.tooLarge(maxRequestBytes).getMessage());
                }
            } catch (NumberFormatException e) {
                return error(400, "invalid Content-Length header");
            }
        }
        return null;
    }

    @ServerExceptionMapper
    public Response api(ApiException e) {
        if (e.status() >= 500) {
            LOG.warnf("request failed: %s", e.getMessage());
        }
        return error(e.status(), e.getMessage());
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        String message = switch (status) {
            case 404 -> "not found; the endpoints are POST /v1/projects/{project}/models/{model}[/versions/{version}]"
                    + ":explain and :predict";
            case 405 -> "method not allowed; use POST";
            case 415 -> "unsupported media type; send application/json";
            default -> e.getMessage() == null ? Response.Status.fromStatusCode(status).getReasonPhrase() : e.getMessage();
        };
        return error(status, message);
    }

    @ServerExceptionMapper
    public Response unexpected(Exception e) {
        LOG.error("unexpected failure", e);
        String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return error(500, "internal error: " + detail);
    }
}
