package dev.explainable.serving.runtime.api;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;

import dev.explainable.serving.runtime.config.ExplainConfig;
import dev.explainable.serving.runtime.work.RequestDeadline;

/**
 * Forwards a Vertex request whose {@code deployedModelId} names another version of this model to that version (in
 * the cluster the model's Service reaches the default version's pods only). The target is the configured URL
 * template ({@code explain.routing.version-url}) with a version name that must be a DNS label, so a request cannot
 * send the runtime anywhere else; a forwarded request is not forwarded again.
 */
@ApplicationScoped
public class VersionForwarder {

    /** Set on a forwarded request: the receiving runtime answers for itself. */
    static final String FORWARDED_HEADER = "X-Explainable-Forwarded";

    private static final Logger LOG = Logger.getLogger(VersionForwarder.class);
    private static final Pattern VERSION = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

    private final Optional<String> template;
    private final HttpClient client;

    @Inject
    public VersionForwarder(ExplainConfig config) {
        this(config.routing().versionUrl());
    }

    VersionForwarder(Optional<String> template) {
        this.template = template.filter(t -> t.contains("{version}"));
        this.client = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(2))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** True when requests for other versions can be forwarded. */
    boolean enabled() {
        return template.isPresent();
    }

    /**
     * The other version's answer, passed through (status and body), or a Google API error when it cannot be
     * reached: 404 for a version that does not exist, 504 past the deadline, 503 otherwise.
     */
    Response forward(String version, String pathAndQuery, byte[] body, RequestDeadline deadline, String endpoint) {
        if (!VERSION.matcher(version).matches()) {
            return error(
                    404,
                    "deployed model '" + abbreviate(version) + "' is not deployed on endpoint '" + endpoint
                            + "' (version names are DNS labels)");
        }
        URI target = URI.create(template.orElseThrow().replace("{version}", version) + pathAndQuery);
        Duration left = Duration.ofNanos(Math.max(1_000_000, deadline.remainingNanos()));
        HttpRequest request = HttpRequest.newBuilder(target)
                .timeout(left)
                .header("Content-Type", MediaType.APPLICATION_JSON)
                .header(FORWARDED_HEADER, "1")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        try {
            HttpResponse<byte[]> answer = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
            return Response.status(answer.statusCode())
                    .type(answer.headers().firstValue("Content-Type").orElse(MediaType.APPLICATION_JSON))
                    .entity(answer.body())
                    .build();
        } catch (HttpConnectTimeoutException | ConnectException | UnknownHostException e) {
            LOG.debugf("version %s unreachable at %s: %s", version, target, e.toString());
            return error(
                    404,
                    "deployed model '" + version + "' is not deployed on endpoint '" + endpoint
                            + "' (or none of its pods is ready)");
        } catch (HttpTimeoutException e) {
            return error(504, "deployed model '" + version + "' did not answer before the request's deadline");
        } catch (IOException e) {
            LOG.warnf("forwarding to version %s failed: %s", version, e.toString());
            if (e.getCause() instanceof UnknownHostException) {
                return error(404, "deployed model '" + version + "' is not deployed on endpoint '" + endpoint + "'");
            }
            return error(503, "deployed model '" + version + "' could not be reached; retry shortly");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return error(503, "the request was interrupted");
        }
    }

    private static Response error(int status, String message) {
        return Response.status(status)
                .type(MediaType.APPLICATION_JSON)
                .entity(VertexJson.error(status, message))
                .build();
    }

    private static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }
}
