package dev.explainable.serving.operator.monitoring;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.readiness.Readiness;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.source.polling.PerResourcePollingConfigurationBuilder;
import io.javaoperatorsdk.operator.processing.event.source.polling.PerResourcePollingEventSource;

import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.VersionSpec;
import dev.explainable.serving.operator.dependent.DesiredDeployment;
import dev.explainable.serving.operator.dependent.Labels;

/**
 * Reads the attribution alerts of each monitored version's ready pods ({@code GET /q/attribution-alerts} on their
 * management port), every poll interval, off the reconcile threads: JOSDK's per-resource polling event source keeps
 * the last {@link VersionAlerts} of each version and triggers a reconcile only when they change, which writes them
 * into the status. Bounded: at most {@link #MAX_PODS} pods a version, a few seconds a poll, a small body a pod.
 */
public final class AlertPolling {

    public static final String NAME = "attribution-alerts";
    static final int MAX_PODS = 16;
    static final int MAX_BODY = 256 * 1024;
    static final Duration TIMEOUT = Duration.ofSeconds(3);

    private static final Logger LOG = Logger.getLogger(AlertPolling.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder()
            .connectTimeout(TIMEOUT)
            .version(HttpClient.Version.HTTP_1_1)
            .build();
    private final Function<ExplainableModel, Set<Pod>> pods;
    private final int port;

    /** {@code port}: the runtime's management port ({@link DesiredDeployment#MANAGEMENT_PORT}). */
    AlertPolling(Function<ExplainableModel, Set<Pod>> pods, int port) {
        this.pods = pods;
        this.port = port;
    }

    /** The event source: {@code pods} gives a model's pods (the pod informer's cache). */
    public static PerResourcePollingEventSource<VersionAlerts, ExplainableModel, String> eventSource(
            EventSourceContext<ExplainableModel> context,
            Function<ExplainableModel, Set<Pod>> pods,
            Duration interval) {
        AlertPolling polling = new AlertPolling(pods, DesiredDeployment.MANAGEMENT_PORT);
        return new PerResourcePollingEventSource<>(
                VersionAlerts.class,
                context,
                new PerResourcePollingConfigurationBuilder<VersionAlerts, ExplainableModel, String>(
                                polling::fetch, interval)
                        .withName(NAME)
                        .withRegisterPredicate(AlertPolling::monitored)
                        .withResourceIDMapper(VersionAlerts::version)
                        .build());
    }

    static boolean monitored(ExplainableModel m) {
        return m.getSpec() != null && m.getSpec().getVersions().stream().anyMatch(v -> v.getMonitoring() != null);
    }

    /** One poll: per monitored version, its ready pods' alerts merged. */
    Set<VersionAlerts> fetch(ExplainableModel m) {
        Set<VersionAlerts> out = new HashSet<>();
        if (m.getSpec() == null) {
            return out;
        }
        Set<Pod> all = pods.apply(m);
        for (VersionSpec v : m.getSpec().getVersions()) {
            if (v.getMonitoring() == null) {
                continue;
            }
            List<Pod> ready = all.stream()
                    .filter(p -> v.getName().equals(p.getMetadata().getLabels().get(Labels.VERSION)))
                    .filter(AlertPolling::readyWithAddress)
                    .limit(MAX_PODS)
                    .toList();
            if (!ready.isEmpty()) {
                out.add(read(v.getName(), ready));
            }
        }
        return out;
    }

    private VersionAlerts read(String version, List<Pod> ready) {
        Map<String, CompletableFuture<RuntimeAlerts>> calls = new LinkedHashMap<>();
        for (Pod p : ready) {
            URI uri = URI.create("http://" + host(p.getStatus().getPodIP()) + ":" + port + RuntimeAlerts.PATH);
            HttpRequest request =
                    HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build();
            calls.put(
                    p.getMetadata().getName(),
                    http.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream())
                            .thenApply(AlertPolling::parse));
        }
        Map<String, RuntimeAlerts> answers = new LinkedHashMap<>();
        List<String> unanswered = new ArrayList<>();
        for (Map.Entry<String, CompletableFuture<RuntimeAlerts>> c : calls.entrySet()) {
            try {
                answers.put(c.getKey(), c.getValue().get(TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                unanswered.add(c.getKey());
            } catch (Exception e) {
                LOG.debugf("attribution alerts of pod %s not read: %s", c.getKey(), e);
                c.getValue().cancel(true);
                unanswered.add(c.getKey());
            }
        }
        return VersionAlerts.merge(version, answers, unanswered);
    }

    private static RuntimeAlerts parse(HttpResponse<InputStream> r) {
        try (InputStream in = r.body()) {
            if (r.statusCode() != 200) {
                throw new IOException("HTTP " + r.statusCode());
            }
            byte[] body = in.readNBytes(MAX_BODY + 1);
            if (body.length > MAX_BODY) {
                throw new IOException("answer over " + MAX_BODY + " bytes");
            }
            return JSON.readValue(body, RuntimeAlerts.class);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static boolean readyWithAddress(Pod p) {
        return p.getMetadata().getDeletionTimestamp() == null
                && p.getStatus() != null
                && p.getStatus().getPodIP() != null
                && !p.getStatus().getPodIP().isBlank()
                && Readiness.isPodReady(p);
    }

    private static String host(String ip) {
        return ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip;
    }
}
