package dev.explainable.serving.runtime.api.description;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;

import dev.explainable.serving.runtime.monitoring.AttributionMonitor;

/** The attribution monitoring's state: settings, the last window's profile and distances, thresholds crossed. */
@Path("/runtime/model/attributions")
public class AttributionsResource {

    private final AttributionMonitor monitor;

    public AttributionsResource(AttributionMonitor monitor) {
        this.monitor = monitor;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(
            summary = "Attribution monitoring (runtime-specific)",
            description = "The sample rate and window size, explanations in the window being filled, the baseline"
                    + " (read or why not), the last full window's profile (per label: count, mean absolute"
                    + " attribution per feature) with its skew (against the baseline) and drift (against the previous"
                    + " window) per label, and the features whose skew or drift crossed its threshold then.")
    public AttributionMonitor.Report report() {
        return monitor.report();
    }
}
