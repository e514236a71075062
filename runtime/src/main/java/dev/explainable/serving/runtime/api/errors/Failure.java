package dev.explainable.serving.runtime.api.errors;

import java.util.Locale;

import dev.explainable.serving.runtime.metadata.MetadataException;
import dev.explainable.serving.runtime.service.ModelNotReadyException;
import dev.explainable.serving.runtime.work.DeadlineExceededException;
import dev.explainable.serving.runtime.work.InvalidRequestException;
import dev.explainable.serving.runtime.work.LimitExceededException;
import dev.explainable.serving.runtime.work.OverloadedException;
import dev.explainable.serving.runtime.work.ResourceExhaustedException;

/**
 * The failure table: for each failure, the HTTP status it answers, the {@code Retry-After} it carries (null: none)
 * and the {@code outcome} the request metrics count it as. {@link ErrorMappers} answers with it,
 * {@code CallRunner} tags {@code explainable_requests} with it, and {@code VersionForwarder} does both for
 * {@code explainable_forwards}, the failures of reaching another version included. A new domain error is one more
 * row in {@link #of}.
 *
 * <table>
 * <caption>the rows</caption>
 * <tr><th>failure</th><th>status</th><th>Retry-After</th><th>outcome</th></tr>
 * <tr><td>{@link ApiException}</td><td>its own</td><td></td><td>{@code client_error} below 500, else
 * {@code server_error}</td></tr>
 * <tr><td>invalid request, limit exceeded, metadata</td><td>400</td><td></td><td>{@code client_error}</td></tr>
 * <tr><td>model not ready (loading, failed)</td><td>503</td><td>5</td><td>{@code server_error}</td></tr>
 * <tr><td>overloaded</td><td>429; 503 when stopping</td><td>its own</td><td>{@code rejected}</td></tr>
 * <tr><td>cancelled (client gone, shutdown cut-off)</td><td>503</td><td>1</td><td>{@code cancelled}</td></tr>
 * <tr><td>deadline exceeded</td><td>504</td><td></td><td>{@code deadline_exceeded}</td></tr>
 * <tr><td>resources exhausted (TensorFlow's memory)</td><td>503</td><td>1</td><td>{@code error}</td></tr>
 * <tr><td>anything else</td><td>500</td><td></td><td>{@code error}</td></tr>
 * <tr><td>caller: no token, a malformed or refused one ({@code explain.auth.mode=kubernetes})</td><td>401</td><td>
 * </td><td>{@code client_error}</td></tr>
 * <tr><td>caller: RBAC denies the call</td><td>403</td><td></td><td>{@code client_error}</td></tr>
 * <tr><td>caller: the API server cannot verify it now</td><td>503</td><td>1</td><td>{@code server_error}</td></tr>
 * <tr><td>forwarding: not a version of the model</td><td>404</td><td></td><td>{@code not_found}</td></tr>
 * <tr><td>forwarding: the version cannot be reached now</td><td>503</td><td>1</td><td>{@code unavailable}</td></tr>
 * <tr><td>forwarding: an answer without the version's mark</td><td>503 for its 429 and 503, else 502</td>
 * <td>1 with 503</td><td>{@code unverified}</td></tr>
 * <tr><td>forwarding: the version's error not in Google's shape</td><td>its own</td><td>1 with 429 and 503</td>
 * <td>{@code client_error} below 500, else {@code server_error}</td></tr>
 * </table>
 */
public record Failure(int status, Outcome outcome, Long retryAfterSeconds) {

    /** How the request metrics count a request: their {@code outcome} tag. */
    public enum Outcome {
        SUCCESS,
        CLIENT_ERROR,
        SERVER_ERROR,
        REJECTED,
        CANCELLED,
        DEADLINE_EXCEEDED,
        /** Forwards only: not a version of the model. */
        NOT_FOUND,
        /** Forwards only: the version cannot be reached now. */
        UNAVAILABLE,
        /** Forwards only: an answer without the version's mark, not passed on. */
        UNVERIFIED,
        ERROR;

        /** The tag's value. */
        public String tag() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** An error status by its class: {@code client_error} below 500, {@code server_error} from it. */
        public static Outcome of(int status) {
            return status < 500 ? CLIENT_ERROR : SERVER_ERROR;
        }
    }

    /** 400: the request is wrong (invalid, over a limit, against the model's metadata). */
    public static final Failure INVALID = new Failure(400, Outcome.CLIENT_ERROR, null);
    /** 503: the model is loading or failed to load, not the client's doing. */
    public static final Failure NOT_READY = new Failure(503, Outcome.SERVER_ERROR, 5L);
    /** 503: the client went away (nobody reads the answer) or the process is stopping. */
    public static final Failure CANCELLED = new Failure(503, Outcome.CANCELLED, 1L);
    /** 504: the request's deadline passed. */
    public static final Failure DEADLINE_EXCEEDED = new Failure(504, Outcome.DEADLINE_EXCEEDED, null);
    /** 503: TensorFlow could not allocate what a run needed; a later try may fit. */
    public static final Failure EXHAUSTED = new Failure(503, Outcome.ERROR, 1L);
    /** 500: anything else (an unexpected exception, a forwarded answer over its size bound). */
    public static final Failure INTERNAL = new Failure(500, Outcome.ERROR, null);
    /** 401 (with {@code WWW-Authenticate: Bearer}): no bearer token, a malformed one, or one the API server refused. */
    public static final Failure UNAUTHENTICATED = new Failure(401, Outcome.CLIENT_ERROR, null);
    /** 403: the caller's identity may not make this call on the model (Kubernetes RBAC). */
    public static final Failure PERMISSION_DENIED = new Failure(403, Outcome.CLIENT_ERROR, null);
    /** 503: the API server cannot authenticate or authorize the caller now (unreachable, erring, slow): fail closed. */
    public static final Failure AUTH_UNAVAILABLE = new Failure(503, Outcome.SERVER_ERROR, 1L);
    /** 404: a forward to a name that is not a version of the model. */
    public static final Failure NO_SUCH_VERSION = new Failure(404, Outcome.NOT_FOUND, null);
    /** 503: a forward to a version that cannot be reached now, or whose versions are unknown. */
    public static final Failure VERSION_UNAVAILABLE = new Failure(503, Outcome.UNAVAILABLE, 1L);

    /** The row of an exception; {@link #INTERNAL} for one the table does not know. */
    public static Failure of(Throwable e) {
        if (e instanceof ApiException a) {
            return new Failure(a.status(), Outcome.of(a.status()), null);
        }
        if (e instanceof LimitExceededException
                || e instanceof InvalidRequestException
                || e instanceof MetadataException) {
            // the request path raises its own exceptions for bad requests; a metadata failure that still surfaces
            // there concerns what the request sent (its instance against the metadata)
            return INVALID;
        }
        if (e instanceof ModelNotReadyException) {
            return NOT_READY;
        }
        if (e instanceof OverloadedException o) {
            return new Failure(o.stopping() ? 503 : 429, Outcome.REJECTED, o.retryAfterSeconds());
        }
        if (e instanceof DeadlineExceededException d) {
            return d.cancelled() ? CANCELLED : DEADLINE_EXCEEDED;
        }
        if (e instanceof ResourceExhaustedException) {
            return EXHAUSTED;
        }
        return INTERNAL;
    }

    /**
     * An answer of another version without that version's mark: 503 for its 429 or 503 (something in between
     * cannot reach the version now), else 502.
     */
    public static Failure unverified(int status) {
        return status == 429 || status == 503
                ? new Failure(503, Outcome.UNVERIFIED, 1L)
                : new Failure(502, Outcome.UNVERIFIED, null);
    }

    /** Another version's error answered in another shape than Google's: the same status, in this runtime's words. */
    public static Failure replaced(int status) {
        return new Failure(status, Outcome.of(status), status == 429 || status == 503 ? 1L : null);
    }
}
