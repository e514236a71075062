package dev.explainable.serving.runtime.api.forwarding;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jakarta.ws.rs.core.MediaType;

import org.jboss.logging.Logger;

import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;

import dev.explainable.serving.runtime.api.http.ForwardedMark;
import dev.explainable.serving.runtime.work.RequestDeadline;

/**
 * The exchange with another version's runtime: one POST over HTTP/1.1 (the runtime speaks no other, see
 * {@code ConnectionDrain}), marked as forwarded, its answer bounded in size ({@link BoundedBody}), repeated once on a
 * new connection when a kept-alive one was closed just as the request went out. While it waits, it checks the
 * request's deadline, its client and the shutdown cut-off every {@link #POLL_MILLIS} ms; when one of them ends the
 * request, the exchange is cancelled, which closes its connection, and the other version cancels the work at its
 * next run.
 */
final class VersionClient {

    /** How often a waiting forward checks its deadline, its client and the shutdown cut-off. */
    static final long POLL_MILLIS = 100;

    private static final Logger LOG = Logger.getLogger(VersionClient.class);

    /** How an exchange ended. */
    sealed interface Exchange permits Answered, Overdue, Interrupted, Failed {}

    /** The other version answered (any status). */
    record Answered(HttpResponse<byte[]> answer) implements Exchange {}

    /** The deadline passed, the client went away or the process is stopping; the exchange was cancelled. */
    record Overdue() implements Exchange {}

    /** This thread was interrupted while it waited; the exchange was cancelled. */
    record Interrupted() implements Exchange {}

    /** No answer: the connection was refused, the name did not resolve, the answer was too large, ... */
    record Failed(Throwable cause) implements Exchange {}

    private final HttpClient client;
    private final long maxAnswerBytes;

    VersionClient(long maxAnswerBytes) {
        this.maxAnswerBytes = maxAnswerBytes;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /**
     * Posts {@code body} to {@code target}, version {@code version}, with the caller's {@code Authorization} header
     * (null: none), and waits for the answer within the deadline.
     */
    Exchange post(URI target, String version, byte[] body, String authorization, RequestDeadline deadline) {
        for (int attempt = 1; ; attempt++) {
            long left = deadline.remainingNanos();
            if (left <= 0 || deadline.isCancelled()) {
                return new Overdue();
            }
            HttpRequest.Builder builder = HttpRequest.newBuilder(target)
                    .timeout(Duration.ofNanos(left)) // the polling below ends it first; a safety net
                    .header("Content-Type", MediaType.APPLICATION_JSON)
                    .header(ForwardedMark.FORWARDED_HEADER, "1")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body));
            // the trace goes on in the other version (W3C traceparent)
            W3CTraceContextPropagator.getInstance().inject(Context.current(), builder, HttpRequest.Builder::header);
            if (authorization != null) {
                // the other version authenticates and authorizes the caller itself (explain.auth.mode)
                builder.header("Authorization", authorization);
            }
            HttpRequest request = builder.build();
            CompletableFuture<HttpResponse<byte[]>> answer =
                    client.sendAsync(request, info -> new BoundedBody(maxAnswerBytes));
            try {
                HttpResponse<byte[]> answered = await(answer, deadline);
                return answered != null ? new Answered(answered) : new Overdue();
            } catch (InterruptedException e) {
                answer.cancel(true);
                Thread.currentThread().interrupt();
                return new Interrupted();
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (attempt == 1 && closedBeforeAnswering(cause)) {
                    // A kept-alive connection the other version closed just as this request went out: once more,
                    // on a new connection. Explaining and predicting change nothing, so a repeat is harmless.
                    LOG.debugf("version %s closed the connection before answering, retrying: %s", version, cause);
                    continue;
                }
                return new Failed(cause);
            }
        }
    }

    /** The answer, or null (the exchange cancelled) when the deadline, the client or the cut-off ends the request. */
    private static HttpResponse<byte[]> await(CompletableFuture<HttpResponse<byte[]>> answer, RequestDeadline deadline)
            throws InterruptedException, ExecutionException {
        while (true) {
            long wait = Math.min(deadline.remainingNanos(), TimeUnit.MILLISECONDS.toNanos(POLL_MILLIS));
            if (wait <= 0 || deadline.isCancelled()) {
                answer.cancel(true);
                return null;
            }
            try {
                return answer.get(wait, TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                // not yet
            }
        }
    }

    /** An I/O failure after the connection was made and before any answer: not a refusal, not a timeout. */
    static boolean closedBeforeAnswering(Throwable cause) {
        return cause instanceof IOException
                && !(cause instanceof ConnectException)
                && !(cause instanceof HttpTimeoutException)
                && !unresolved(cause)
                && !(cause instanceof BoundedBody.AnswerTooLargeException);
    }

    /** The version's host name did not resolve (the JDK's client: a ConnectException caused by it). */
    static boolean unresolved(Throwable cause) {
        return cause instanceof UnknownHostException
                || cause.getCause() instanceof UnknownHostException
                || cause.getCause() instanceof UnresolvedAddressException;
    }
}
