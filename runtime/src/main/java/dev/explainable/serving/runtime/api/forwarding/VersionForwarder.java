package dev.explainable.serving.runtime.api.forwarding;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import dev.explainable.serving.runtime.api.errors.ApiException;
import dev.explainable.serving.runtime.api.errors.ErrorBody;
import dev.explainable.serving.runtime.api.http.AdmissionControl;
import dev.explainable.serving.runtime.api.http.ForwardedMark;
import dev.explainable.serving.runtime.config.ExplainConfig;
import dev.explainable.serving.runtime.work.Admission;
import dev.explainable.serving.runtime.work.DeadlineExceededException;
import dev.explainable.serving.runtime.work.OverloadedException;
import dev.explainable.serving.runtime.work.RequestDeadline;

/**
 * Forwards a Vertex request whose {@code deployedModelId} names another version of this model to that version (in
 * the cluster the model's Service reaches the default version's pods only). Only a version of this model is forwarded
 * to: one the versions file ({@code explain.routing.versions-file}, {@link ModelVersions}) lists, else 404 without
 * any network call; without a readable file nothing is forwarded (503). The target is the configured URL template
 * ({@code explain.routing.version-url}) with that name, which must also be a DNS label, so a request cannot send the
 * runtime anywhere else; a forwarded request is not forwarded again. The caller has checked that the request's
 * endpoint is this model.
 *
 * <p>The answer is passed on only when it comes from the runtime of that model and version: the receiving runtime
 * marks the answers of forwarded requests with {@link ForwardedMark#SERVED_BY_HEADER} ({@code <model>/<version>}, set by
 * {@code HttpGuards}); an answer without that mark (another server that answered at that name) is replaced by a 502
 * (503 for its 429 and 503) of this runtime's own words, and nothing of it is passed on.
 *
 * <p>A forward is bounded like local work: at most {@code explain.routing.max-concurrent-forwards} in flight (429
 * past it, at once), the body within {@code explain.max-request-bytes}, the answer within {@link #MAX_ANSWER_BYTES},
 * and the request's own deadline. The wait is checked against the {@link RequestDeadline} every
 * {@link #POLL_MILLIS} ms, so a forward ends, and its connection to the other version is closed (which cancels the
 * work there), when the deadline passes (504), when the client goes away, or at the shutdown cut-off (503), as a
 * local explanation does at its next TensorFlow run. Failures to reach the other version answer Google's error
 * shape with a message of this runtime's own, never the exception's text or the other version's address.
 */
@ApplicationScoped
public class VersionForwarder {

    /**
     * Largest answer taken from another version (buffered before it is passed on): with the default of 8 forwards in
     * flight, at most 512 MiB, and only if each answer is that large.
     */
    static final long MAX_ANSWER_BYTES = 64L << 20;

    /** How often a waiting forward checks its deadline, its client and the shutdown cut-off. */
    static final long POLL_MILLIS = 100;

    private static final Logger LOG = Logger.getLogger(VersionForwarder.class);
    private static final Pattern VERSION = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonFactory TOKENS = new JsonFactory();

    private final String model;
    private final Optional<String> template;
    private final Optional<ModelVersions> versions;
    private final Admission forwards;
    private final long maxRequestBytes;
    private final long maxAnswerBytes;
    private final MeterRegistry registry;
    private final HttpClient client;

    @Inject
    public VersionForwarder(ExplainConfig config, AdmissionControl admission, MeterRegistry registry) {
        this(
                config.model().name(),
                config.routing().versionUrl(),
                config.routing().versionsFile().map(Path::of).map(ModelVersions::new),
                admission.forwards(),
                config.maxRequestBytes(),
                MAX_ANSWER_BYTES,
                registry);
        if (template.isPresent() && versions.isEmpty()) {
            LOG.warn("explain.routing.version-url is set without explain.routing.versions-file: requests for other "
                    + "versions are not forwarded (they answer 404)");
        }
    }

    VersionForwarder(
            String model,
            Optional<String> template,
            Optional<ModelVersions> versions,
            Admission forwards,
            long maxRequestBytes,
            long maxAnswerBytes,
            MeterRegistry registry) {
        this.model = model;
        this.template = template.filter(t -> t.contains("{version}"));
        this.versions = versions;
        this.forwards = forwards;
        this.maxRequestBytes = maxRequestBytes;
        this.maxAnswerBytes = maxAnswerBytes;
        this.registry = registry != null ? registry : new SimpleMeterRegistry();
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1) // the runtime speaks HTTP/1.1 only (ConnectionDrain)
                .connectTimeout(Duration.ofSeconds(2))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /**
     * The body's top-level {@code deployedModelId} when it is a string, read without building the JSON tree; null
     * when absent or when the body does not parse (the full read then says why).
     */
    public static String deployedModelIdOf(byte[] body) {
        try (JsonParser p = TOKENS.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals("deployedModelId") && value == JsonToken.VALUE_STRING) {
                    String id = p.getText();
                    return id.isEmpty() ? null : id;
                }
                p.skipChildren();
            }
            return null;
        } catch (IOException e) {
            return null;
        }
    }

    /** True when requests for other versions can be forwarded: a URL template and a versions file are set. */
    public boolean enabled() {
        return template.isPresent() && versions.isPresent();
    }

    /**
     * The other version's answer, passed through (status, JSON body, {@code Retry-After}) when that version's runtime
     * gave it, or a Google API error: 404 for a name that is not a version of this model (or whose Service does not
     * exist), 429 past the forward limit, 413 for a body over the limit, 503 when the versions are unknown (no readable
     * versions file) or the version cannot be reached (no pod accepts the connection, it closed the connection, this
     * process is stopping), 504 past the deadline, 502 for an answer without the version's mark. An error answer of
     * the other version that is not Google's shape is replaced by one.
     */
    public Response forward(String version, String pathAndQuery, byte[] body, RequestDeadline deadline) {
        Timer.Sample sample = Timer.start(registry);
        Outcome outcome = new Outcome();
        try {
            return forward(version, pathAndQuery, body, deadline, outcome);
        } finally {
            sample.stop(Timer.builder("explainable.forwards")
                    .description("requests forwarded to another version of the model, by outcome")
                    .tag("outcome", outcome.name)
                    .register(registry));
        }
    }

    /** What became of a forward, for the metrics. */
    private static final class Outcome {
        String name = "error";
    }

    private Response forward(
            String version, String pathAndQuery, byte[] body, RequestDeadline deadline, Outcome outcome) {
        if (!VERSION.matcher(version).matches()) {
            outcome.name = "not_found";
            return error(
                    404,
                    "deployed model '" + abbreviate(version) + "' is not deployed on endpoint '" + abbreviate(model)
                            + "' (version names are DNS labels)");
        }
        Set<String> known;
        try {
            known = versions.orElseThrow().current();
        } catch (ModelVersions.UnknownException e) {
            outcome.name = "unavailable";
            return error(
                    503,
                    "the versions of model '" + abbreviate(model) + "' are unknown to this runtime (its versions file, "
                            + "explain.routing.versions-file, cannot be read), so deployed model '" + version
                            + "' is not forwarded to; retry shortly, or call that version's own URL",
                    1L);
        }
        if (!known.contains(version)) {
            outcome.name = "not_found";
            return error(404, "deployed model '" + version + "' is not a version of model '" + abbreviate(model) + "'");
        }
        if (body.length > maxRequestBytes) {
            // the HTTP layer refuses such bodies first; this holds for any caller
            outcome.name = "client_error";
            return error(413, ApiException.tooLarge(maxRequestBytes).getMessage());
        }
        Admission.Permit permit;
        try {
            permit = forwards.acquire(deadline);
        } catch (OverloadedException e) {
            outcome.name = "rejected";
            return error(e.stopping() ? 503 : 429, e.getMessage(), e.retryAfterSeconds());
        }
        try (permit) {
            return send(version, pathAndQuery, body, deadline, outcome);
        }
    }

    private Response send(String version, String pathAndQuery, byte[] body, RequestDeadline deadline, Outcome outcome) {
        URI target = URI.create(template.orElseThrow().replace("{version}", version) + pathAndQuery);
        String who = "deployed model '" + version + "' of endpoint '" + abbreviate(model) + "'";
        for (int attempt = 1; ; attempt++) {
            long left = deadline.remainingNanos();
            if (left <= 0 || deadline.isCancelled()) {
                return overdue(deadline, who, outcome);
            }
            HttpRequest request = HttpRequest.newBuilder(target)
                    .timeout(Duration.ofNanos(left)) // the polling below ends it first; a safety net
                    .header("Content-Type", MediaType.APPLICATION_JSON)
                    .header(ForwardedMark.FORWARDED_HEADER, "1")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .build();
            CompletableFuture<HttpResponse<byte[]>> answer =
                    client.sendAsync(request, info -> new BoundedBody(maxAnswerBytes));
            try {
                return passOn(await(answer, deadline), version, who, outcome);
            } catch (Overdue e) {
                return overdue(deadline, who, outcome);
            } catch (InterruptedException e) {
                answer.cancel(true);
                Thread.currentThread().interrupt();
                outcome.name = "cancelled";
                return error(503, "the request was interrupted; retry shortly", 1L);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (attempt == 1 && closedBeforeAnswering(cause)) {
                    // A kept-alive connection the other version closed just as this request went out: once more,
                    // on a new connection. Explaining and predicting change nothing, so a repeat is harmless.
                    LOG.debugf("version %s closed the connection before answering, retrying: %s", version, cause);
                    continue;
                }
                return unreachable(cause, version, who, target, deadline, outcome);
            }
        }
    }

    /** Thrown by {@link #await} when the deadline passed, the client went away or the process is stopping. */
    private static final class Overdue extends Exception {
        Overdue() {
            super(null, null, false, false);
        }
    }

    /**
     * The answer, checking the deadline, the client and the shutdown cut-off every {@link #POLL_MILLIS} ms while it
     * is awaited; when one of them ends the request, the exchange is cancelled, which closes its connection, and the
     * other version cancels the work at its next run.
     */
    private static HttpResponse<byte[]> await(CompletableFuture<HttpResponse<byte[]>> answer, RequestDeadline deadline)
            throws Overdue, InterruptedException, ExecutionException {
        while (true) {
            long wait = Math.min(deadline.remainingNanos(), TimeUnit.MILLISECONDS.toNanos(POLL_MILLIS));
            if (wait <= 0 || deadline.isCancelled()) {
                answer.cancel(true);
                throw new Overdue();
            }
            try {
                return answer.get(wait, TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                // not yet
            }
        }
    }

    /** An I/O failure after the connection was made and before any answer: not a refusal, not a timeout. */
    private static boolean closedBeforeAnswering(Throwable cause) {
        return cause instanceof IOException
                && !(cause instanceof ConnectException)
                && !(cause instanceof HttpTimeoutException)
                && !unresolved(cause)
                && !(cause instanceof AnswerTooLargeException);
    }

    /** The version's host name did not resolve (the JDK's client: a ConnectException caused by it). */
    private static boolean unresolved(Throwable cause) {
        return cause instanceof UnknownHostException
                || cause.getCause() instanceof UnknownHostException
                || cause.getCause() instanceof UnresolvedAddressException;
    }

    /** The deadline passed, the client went away, or the process is stopping. */
    private static Response overdue(RequestDeadline deadline, String who, Outcome outcome) {
        try {
            deadline.check();
        } catch (DeadlineExceededException e) {
            if (e.cancelled()) {
                // the client has gone (nobody reads this) or the pod is stopping (503, as for local work)
                outcome.name = "cancelled";
                return error(503, e.getMessage(), 1L);
            }
        }
        outcome.name = "deadline_exceeded";
        return error(
                504,
                who + " did not answer within the request's deadline of " + seconds(deadline.budget())
                        + " s (explain.limits.deadline)");
    }

    private Response unreachable(
            Throwable cause, String version, String who, URI target, RequestDeadline deadline, Outcome outcome) {
        if (cause instanceof AnswerTooLargeException) {
            outcome.name = "error";
            LOG.warnf("the answer of version %s was larger than %d bytes", version, maxAnswerBytes);
            return error(
                    500,
                    "the answer of " + who + " is larger than the " + (maxAnswerBytes >> 20)
                            + " MiB a forwarded answer may have; send fewer instances, or call that version's own "
                            + "URL");
        }
        if (unresolved(cause)) {
            // no Service of that name: the version does not exist
            outcome.name = "not_found";
            LOG.debugf("version %s unresolved at %s: %s", version, target, cause);
            return error(
                    404, "deployed model '" + version + "' is not deployed on endpoint '" + abbreviate(model) + "'");
        }
        if (cause instanceof HttpTimeoutException && !(cause instanceof HttpConnectTimeoutException)) {
            return overdue(deadline, who, outcome);
        }
        outcome.name = "unavailable";
        if (cause instanceof ConnectException || cause instanceof HttpConnectTimeoutException) {
            // the Service exists but no pod accepted the connection: none ready, or the version is starting
            LOG.debugf("version %s unreachable at %s: %s", version, target, cause);
            return error(
                    503,
                    who + " is not reachable: none of its pods accepted the connection (none is ready yet, or "
                            + "they are restarting); retry shortly",
                    1L);
        }
        LOG.warnf("forwarding to version %s at %s failed: %s", version, target, cause);
        return error(503, who + " closed the connection before answering; retry shortly", 1L);
    }

    /**
     * The other version's answer, when it carries that version's mark ({@link ForwardedMark#SERVED_BY_HEADER}): a JSON success or
     * a Google API error as it is (with its {@code Retry-After}); anything else (an error of another shape, a body
     * that is not JSON, a redirect) as a Google API error of this runtime's own, without the other side's text. An
     * answer without the mark is passed on in no part: 503 for a 429 or 503 (a proxy in between that cannot reach the
     * version now), else 502.
     */
    private Response passOn(HttpResponse<byte[]> answer, String version, String who, Outcome outcome) {
        int status = answer.statusCode();
        Optional<String> mark = answer.headers().firstValue(ForwardedMark.SERVED_BY_HEADER);
        if (!mark.equals(Optional.of(ForwardedMark.servedBy(model, version)))) {
            outcome.name = "unverified";
            LOG.warnf(
                    "the answer for version %s (HTTP %d) is not marked as that version's (%s: %s): not passed on",
                    version,
                    status,
                    ForwardedMark.SERVED_BY_HEADER,
                    mark.map(VersionForwarder::abbreviate).orElse("absent"));
            if (status == 429 || status == 503) {
                return error(
                        503,
                        who + " is not reachable now (HTTP " + status + " not from its runtime); retry shortly",
                        1L);
            }
            return error(
                    502,
                    who + " answered through something that is not its runtime (HTTP " + status
                            + ", without its mark); the answer is not passed on");
        }
        String type = answer.headers().firstValue("Content-Type").orElse("");
        boolean json = type.toLowerCase().startsWith(MediaType.APPLICATION_JSON);
        if (status >= 200 && status < 300 && json) {
            outcome.name = "success";
            return Response.status(status)
                    .type(MediaType.APPLICATION_JSON)
                    .entity(answer.body())
                    .build();
        }
        if (status >= 400 && status < 600) {
            outcome.name = status < 500 ? "client_error" : "server_error";
            Optional<String> retryAfter = answer.headers().firstValue("Retry-After");
            if (json && isGoogleError(answer.body(), status)) {
                Response.ResponseBuilder b =
                        Response.status(status).type(MediaType.APPLICATION_JSON).entity(answer.body());
                retryAfter.ifPresent(r -> b.header("Retry-After", r));
                return b.build();
            }
            Long retry = status == 429 || status == 503 ? Long.valueOf(1) : null;
            return error(status, who + " answered HTTP " + status + " without an API error", retry);
        }
        outcome.name = "server_error";
        return error(
                500, who + " gave an answer that is not the API's (HTTP " + status + ", " + abbreviate(type) + ")");
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

    private static Response error(int status, String message) {
        return error(status, message, null);
    }

    private static Response error(int status, String message, Long retryAfterSeconds) {
        ErrorBody.GoogleError body = ErrorBody.GoogleError.of(status, message);
        Response.ResponseBuilder b =
                Response.status(status).type(MediaType.APPLICATION_JSON).entity(body);
        if (retryAfterSeconds != null) {
            b.header("Retry-After", retryAfterSeconds);
        }
        return b.build();
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? String.valueOf(d.toSeconds()) : String.valueOf(d.toMillis() / 1000.0);
    }

    private static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }

    /** The answer crossed {@link #maxAnswerBytes}. */
    static final class AnswerTooLargeException extends IOException {
        AnswerTooLargeException(long max) {
            super("answer larger than " + max + " bytes");
        }
    }

    /**
     * Collects the answer's bytes up to a bound: past it, stops reading (which closes the connection) and fails the
     * answer, so an answer of any size costs at most the bound.
     */
    static final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final HttpResponse.BodySubscriber<byte[]> bytes = HttpResponse.BodySubscribers.ofByteArray();
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private final long max;
        private long seen;
        private Flow.Subscription subscription;

        BoundedBody(long max) {
            this.max = max;
            bytes.getBody().whenComplete((b, e) -> {
                if (e != null) {
                    result.completeExceptionally(e);
                } else {
                    result.complete(b);
                }
            });
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            bytes.onSubscribe(s);
        }

        @Override
        public void onNext(List<ByteBuffer> item) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer b : item) {
                seen += b.remaining();
            }
            if (seen > max) {
                subscription.cancel();
                result.completeExceptionally(new AnswerTooLargeException(max));
                return;
            }
            bytes.onNext(item);
        }

        @Override
        public void onError(Throwable t) {
            bytes.onError(t);
        }

        @Override
        public void onComplete() {
            bytes.onComplete();
        }
    }
}
