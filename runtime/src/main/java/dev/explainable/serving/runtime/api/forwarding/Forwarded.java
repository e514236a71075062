package dev.explainable.serving.runtime.api.forwarding;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import dev.explainable.serving.runtime.api.errors.ErrorBody;
import dev.explainable.serving.runtime.api.errors.Failure;

/** What a forward answers, and the outcome {@code explainable_forwards} counts it as. */
record Forwarded(Response response, Failure.Outcome outcome) {

    /** A Google API error in this runtime's own words, with the status and {@code Retry-After} of its row. */
    static Forwarded refused(Failure failure, String message) {
        Response.ResponseBuilder b = Response.status(failure.status())
                .type(MediaType.APPLICATION_JSON)
                .entity(ErrorBody.GoogleError.of(failure.status(), message));
        if (failure.retryAfterSeconds() != null) {
            b.header("Retry-After", failure.retryAfterSeconds());
        }
        return new Forwarded(b.build(), failure.outcome());
    }
}
