package dev.explainable.serving.runtime.api.description;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.vertx.http.ManagementInterface;

import dev.explainable.serving.runtime.monitoring.AttributionMonitor;

/**
 * {@code GET /q/attribution-alerts} on the management port: the thresholds the last window crossed, for the operator,
 * which writes them into the ExplainableModel's status. Beside the metrics (the same scores as gauges) and as open as
 * they are: no token, reachable from the operator's and the scrapers' namespaces only. No profile (that is
 * {@code GET /runtime/model/attributions}, behind the caller's token on the API port).
 */
@ApplicationScoped
public class AttributionAlertsRoute {

    public static final String PATH = "/q/attribution-alerts";

    /** What the route answers; the operator reads it as {@code RuntimeAlerts}. */
    public record Alerts(
            boolean enabled,
            long window,
            String baselineUri,
            boolean baselineRead,
            String baselineProblem,
            List<AttributionMonitor.Crossing> crossed) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    void install(@Observes ManagementInterface management, AttributionMonitor monitor) {
        management.router().get(PATH).handler(ctx -> {
            AttributionMonitor.Report r = monitor.report();
            Alerts alerts = new Alerts(
                    monitor.enabled(),
                    r.lastWindow() == null ? 0 : r.lastWindow().index(),
                    r.baselineUri(),
                    r.baselineRead(),
                    r.baselineProblem(),
                    r.crossed());
            try {
                ctx.response().putHeader("Content-Type", "application/json").end(JSON.writeValueAsString(alerts));
            } catch (JsonProcessingException e) {
                ctx.fail(e);
            }
        });
    }
}
