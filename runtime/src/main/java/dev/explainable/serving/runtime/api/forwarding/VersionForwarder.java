package dev.explainable.serving.runtime.api.forwarding;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import dev.explainable.serving.runtime.api.errors.ApiException;
import dev.explainable.serving.runtime.api.errors.Failure;
import dev.explainable.serving.runtime.api.http.AdmissionControl;
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
 * marks the answers of forwarded requests with {@code ForwardedMark.SERVED_BY_HEADER} ({@code <model>/<version>},
 * set by {@code HttpGuards}); an answer without that mark (another server that answered at that name) is replaced by
 * a 502 (503 for its 429 and 503) of this runtime's own words, and nothing of it is passed on ({@link AnswerCheck}).
 *
 * <p>A forward is bounded like local work: at most {@code explain.routing.max-concurrent-forwards} in flight (429
 * past it, at once), the body within {@code explain.max-request-bytes}, the answer within {@link #MAX_ANSWER_BYTES},
 * and the request's own deadline. The wait is checked against the {@link RequestDeadline} every
 * {@link VersionClient#POLL_MILLIS} ms ({@link VersionClient}), so a forward ends, and its connection to the other
 * version is closed (which cancels the work there), when the deadline passes (504), when the client goes away, or at
 * the shutdown cut-off (503), as a local explanation does at its next TensorFlow run. Failures to reach the other
 * version answer Google's error shape with a message of this runtime's own, never the exception's text or the other
 * version's address; their statuses, {@code Retry-After} and metric outcomes are rows of {@code Failure}'s table.
 */
@ApplicationScoped
public class VersionForwarder {

    /**
     * Largest answer taken from another version (buffered before it is passed on): with the default of 8 forwards in
     * flight, at most 512 MiB, and only if each answer is that large.
     */
    static final long MAX_ANSWER_BYTES = 64L << 20;

    private static final Logger LOG = Logger.getLogger(VersionForwarder.class);
    private static final Pattern VERSION = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final JsonFactory TOKENS = new JsonFactory();

    private final String model;
    private final Optional<String> template;
    private final Optional<ModelVersions> versions;
    private final Admission forwards;
    private final long maxRequestBytes;
    private final long maxAnswerBytes;
    private final MeterRegistry registry;
    private final VersionClient client;

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
        this.client = new VersionClient(maxAnswerBytes);
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
     * the other version that is not Google's shape is replaced by one. Statuses and outcomes are {@link Failure}'s.
     */
    public Response forward(String version, String pathAndQuery, byte[] body, RequestDeadline deadline) {
        return forward(version, pathAndQuery, body, null, deadline);
    }

    /**
     * As {@link #forward(String, String, byte[], RequestDeadline)}, passing on the caller's {@code Authorization}
     * header (null: none), so that the other version authenticates and authorizes the caller as this one did.
     */
    public Response forward(
            String version, String pathAndQuery, byte[] body, String authorization, RequestDeadline deadline) {
        Timer.Sample sample = Timer.start(registry);
        Failure.Outcome outcome = Failure.Outcome.ERROR;
        try {
            Forwarded forwarded = admitted(version, pathAndQuery, body, authorization, deadline);
            outcome = forwarded.outcome();
            return forwarded.response();
        } finally {
            sample.stop(Timer.builder("explainable.forwards")
                    .description("requests forwarded to another version of the model, by outcome")
                    .tag("outcome", outcome.tag())
                    .register(registry));
        }
    }

    /** The checks before any network call: the name, the versions file, the body's size, the forward limit. */
    private Forwarded admitted(
            String version, String pathAndQuery, byte[] body, String authorization, RequestDeadline deadline) {
        if (!VERSION.matcher(version).matches()) {
            return Forwarded.refused(
                    Failure.NO_SUCH_VERSION,
                    "deployed model '" + abbreviate(version) + "' is not deployed on endpoint '" + abbreviate(model)
                            + "' (version names are DNS labels)");
        }
        Set<String> known;
        try {
            known = versions.orElseThrow().current();
        } catch (ModelVersions.UnknownException e) {
            return Forwarded.refused(
                    Failure.VERSION_UNAVAILABLE,
                    "the versions of model '" + abbreviate(model) + "' are unknown to this runtime (its versions file, "
                            + "explain.routing.versions-file, cannot be read), so deployed model '" + version
                            + "' is not forwarded to; retry shortly, or call that version's own URL");
        }
        if (!known.contains(version)) {
            return Forwarded.refused(
                    Failure.NO_SUCH_VERSION,
                    "deployed model '" + version + "' is not a version of model '" + abbreviate(model) + "'");
        }
        if (body.length > maxRequestBytes) {
            // the HTTP layer refuses such bodies first; this holds for any caller
            ApiException tooLarge = ApiException.tooLarge(maxRequestBytes);
            return Forwarded.refused(Failure.of(tooLarge), tooLarge.getMessage());
        }
        Admission.Permit permit;
        try {
            permit = forwards.acquire(deadline);
        } catch (OverloadedException e) {
            return Forwarded.refused(Failure.of(e), e.getMessage());
        }
        try (permit) {
            return send(version, pathAndQuery, body, authorization, deadline);
        }
    }

    private Forwarded send(
            String version, String pathAndQuery, byte[] body, String authorization, RequestDeadline deadline) {
        URI target = URI.create(template.orElseThrow().replace("{version}", version) + pathAndQuery);
        String who = "deployed model '" + version + "' of endpoint '" + abbreviate(model) + "'";
        VersionClient.Exchange exchange = client.post(target, version, body, authorization, deadline);
        if (exchange instanceof VersionClient.Answered answered) {
            return AnswerCheck.passOn(answered.answer(), model, version, who);
        }
        if (exchange instanceof VersionClient.Interrupted) {
            return Forwarded.refused(Failure.CANCELLED, "the request was interrupted; retry shortly");
        }
        if (exchange instanceof VersionClient.Failed failed) {
            return unreachable(failed.cause(), version, who, target, deadline);
        }
        return overdue(deadline, who);
    }

    /** The deadline passed (504), the client went away, or the process is stopping (503, as for local work). */
    private static Forwarded overdue(RequestDeadline deadline, String who) {
        try {
            deadline.check();
        } catch (DeadlineExceededException e) {
            if (e.cancelled()) {
                // the client has gone (nobody reads this) or the pod is stopping
                return Forwarded.refused(Failure.of(e), e.getMessage());
            }
        }
        return Forwarded.refused(
                Failure.DEADLINE_EXCEEDED,
                who + " did not answer within the request's deadline of " + seconds(deadline.budget())
                        + " s (explain.limits.deadline)");
    }

    /** No answer came: the failure in this runtime's words, never the exception's text or the version's address. */
    private Forwarded unreachable(Throwable cause, String version, String who, URI target, RequestDeadline deadline) {
        if (cause instanceof BoundedBody.AnswerTooLargeException) {
            LOG.warnf("the answer of version %s was larger than %d bytes", version, maxAnswerBytes);
            return Forwarded.refused(
                    Failure.INTERNAL,
                    "the answer of " + who + " is larger than the " + (maxAnswerBytes >> 20)
                            + " MiB a forwarded answer may have; send fewer instances, or call that version's own "
                            + "URL");
        }
        if (VersionClient.unresolved(cause)) {
            // no Service of that name: the version does not exist
            LOG.debugf("version %s unresolved at %s: %s", version, target, cause);
            return Forwarded.refused(
                    Failure.NO_SUCH_VERSION,
                    "deployed model '" + version + "' is not deployed on endpoint '" + abbreviate(model) + "'");
        }
        if (cause instanceof HttpTimeoutException && !(cause instanceof HttpConnectTimeoutException)) {
            return overdue(deadline, who);
        }
        if (cause instanceof ConnectException || cause instanceof HttpConnectTimeoutException) {
            // the Service exists but no pod accepted the connection: none ready, or the version is starting
            LOG.debugf("version %s unreachable at %s: %s", version, target, cause);
            return Forwarded.refused(
                    Failure.VERSION_UNAVAILABLE,
                    who + " is not reachable: none of its pods accepted the connection (none is ready yet, or "
                            + "they are restarting); retry shortly");
        }
        LOG.warnf("forwarding to version %s at %s failed: %s", version, target, cause);
        return Forwarded.refused(
                Failure.VERSION_UNAVAILABLE, who + " closed the connection before answering; retry shortly");
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? String.valueOf(d.toSeconds()) : String.valueOf(d.toMillis() / 1000.0);
    }

    static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }
}
