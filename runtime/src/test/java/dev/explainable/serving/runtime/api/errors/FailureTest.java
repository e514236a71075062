package dev.explainable.serving.runtime.api.errors;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.ws.rs.core.Response;

import org.junit.jupiter.api.Test;

import dev.explainable.serving.runtime.metadata.MetadataException;
import dev.explainable.serving.runtime.service.ModelNotReadyException;
import dev.explainable.serving.runtime.work.DeadlineExceededException;
import dev.explainable.serving.runtime.work.InvalidInstanceException;
import dev.explainable.serving.runtime.work.InvalidRequestException;
import dev.explainable.serving.runtime.work.LimitExceededException;
import dev.explainable.serving.runtime.work.OverloadedException;
import dev.explainable.serving.runtime.work.ResourceExhaustedException;

/**
 * The failure table row by row, as the mappers answered and the request metrics counted before it was one table:
 * status, {@code Retry-After} and outcome; and the mappers' answers made from it.
 */
class FailureTest {

    static Map<Exception, String> rows() {
        Map<Exception, String> rows = new LinkedHashMap<>();
        rows.put(new ApiException(404, "not here"), "404 - client_error");
        rows.put(new ApiException(413, "too large"), "413 - client_error");
        rows.put(new ApiException(503, "busy"), "503 - server_error");
        rows.put(new InvalidRequestException("bad"), "400 - client_error");
        rows.put(new InvalidInstanceException("bad instance"), "400 - client_error");
        rows.put(new LimitExceededException("too many"), "400 - client_error");
        rows.put(new MetadataException("against the metadata"), "400 - client_error");
        rows.put(new ModelNotReadyException("loading"), "503 5 server_error");
        rows.put(new OverloadedException("full", 2, false), "429 2 rejected");
        rows.put(new OverloadedException("stopping", 1, true), "503 1 rejected");
        rows.put(new DeadlineExceededException("gone", true), "503 1 cancelled");
        rows.put(new DeadlineExceededException("late", false), "504 - deadline_exceeded");
        rows.put(new ResourceExhaustedException("no memory"), "503 1 error");
        rows.put(new IllegalStateException("a bug"), "500 - error");
        return rows;
    }

    static String row(Failure f) {
        return f.status() + " " + (f.retryAfterSeconds() == null ? "-" : f.retryAfterSeconds()) + " "
                + f.outcome().tag();
    }

    @Test
    void everyFailureHasItsRow() {
        rows().forEach((e, want) -> assertEquals(want, row(Failure.of(e)), e.toString()));
    }

    @Test
    void theMappersAnswerTheRow() {
        ErrorMappers mappers = new ErrorMappers();
        rows().forEach((e, want) -> {
            Response r = mappers.failure(e, null);
            String retry = r.getHeaderString("Retry-After");
            String got = r.getStatus() + " " + (retry == null ? "-" : retry);
            assertEquals(want.substring(0, want.lastIndexOf(' ')), got, e.toString());
        });
    }

    @Test
    void forwardingRows() {
        assertEquals("404 - not_found", row(Failure.NO_SUCH_VERSION));
        assertEquals("503 1 unavailable", row(Failure.VERSION_UNAVAILABLE));
        assertEquals("503 1 unverified", row(Failure.unverified(429)));
        assertEquals("503 1 unverified", row(Failure.unverified(503)));
        assertEquals("502 - unverified", row(Failure.unverified(404)));
        assertEquals("502 - unverified", row(Failure.unverified(200)));
        assertEquals("429 1 client_error", row(Failure.replaced(429)));
        assertEquals("503 1 server_error", row(Failure.replaced(503)));
        assertEquals("404 - client_error", row(Failure.replaced(404)));
        assertEquals("500 - server_error", row(Failure.replaced(500)));
    }
}
