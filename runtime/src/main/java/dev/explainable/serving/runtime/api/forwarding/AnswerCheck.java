package dev.explainable.serving.runtime.api.forwarding;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.Optional;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.explainable.serving.runtime.api.errors.Failure;
import dev.explainable.serving.runtime.api.http.ForwardedMark;

/**
 * What of another version's answer is passed on. Only an answer carrying that version's mark
 * ({@link ForwardedMark#SERVED_BY_HEADER}) is: a JSON success or a Google API error as it is (with its
 * {@code Retry-After}); anything else (an error of another shape, a body that is not JSON, a redirect) as a Google
 * API error of this runtime's own, without the other side's text. An answer without the mark is passed on in no
 * part: 503 for a 429 or 503 (a proxy in between that cannot reach the version now), else 502.
 */
final class AnswerCheck {

    private static final Logger LOG = Logger.getLogger(VersionForwarder.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private AnswerCheck() {}

    /**
     * @param who the version in a message's words ({@code deployed model '<version>' of endpoint '<model>'})
     */
    static Forwarded passOn(HttpResponse<byte[]> answer, String model, String version, String who) {
        int status = answer.statusCode();
        Optional<String> mark = answer.headers().firstValue(ForwardedMark.SERVED_BY_HEADER);
        if (!mark.equals(Optional.of(ForwardedMark.servedBy(model, version)))) {
            LOG.warnf(
                    "the answer for version %s (HTTP %d) is not marked as that version's (%s: %s): not passed on",
                    version,
                    status,
                    ForwardedMark.SERVED_BY_HEADER,
                    mark.map(VersionForwarder::abbreviate).orElse("absent"));
            Failure failure = Failure.unverified(status);
            return Forwarded.refused(
                    failure,
                    failure.status() == 503
                            ? who + " is not reachable now (HTTP " + status + " not from its runtime); retry shortly"
                            : who + " answered through something that is not its runtime (HTTP " + status
                                    + ", without its mark); the answer is not passed on");
        }
        String type = answer.headers().firstValue("Content-Type").orElse("");
        boolean json = type.toLowerCase().startsWith(MediaType.APPLICATION_JSON);
        if (status >= 200 && status < 300 && json) {
            return new Forwarded(
                    Response.status(status)
                            .type(MediaType.APPLICATION_JSON)
                            .entity(answer.body())
                            .build(),
                    Failure.Outcome.SUCCESS);
        }
        if (status >= 400 && status < 600) {
            if (json && isGoogleError(answer.body(), status)) {
                Response.ResponseBuilder b =
                        Response.status(status).type(MediaType.APPLICATION_JSON).entity(answer.body());
                answer.headers().firstValue("Retry-After").ifPresent(r -> b.header("Retry-After", r));
                return new Forwarded(b.build(), Failure.Outcome.of(status));
            }
            return Forwarded.refused(
                    Failure.replaced(status), who + " answered HTTP " + status + " without an API error");
        }
        return Forwarded.refused(
                Failure.replaced(500),
                who + " gave an answer that is not the API's (HTTP " + status + ", " + VersionForwarder.abbreviate(type)
                        + ")");
    }

    /** {@code {"error": {"code": status, "message": "...", "status": "..."}}}, as this runtime answers errors. */
    private static boolean isGoogleError(byte[] body, int status) {
        try {
            JsonNode error = JSON.readTree(body).path("error");
            return error.path("code").asInt() == status
                    && error.path("message").isTextual()
                    && error.path("status").isTextual();
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
