package dev.explainable.serving.runtime.api.description;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

import dev.explainable.serving.runtime.api.errors.ErrorBody;
import dev.explainable.serving.runtime.service.ExampleNeighbors;
import dev.explainable.serving.runtime.service.LoadedModel;
import dev.explainable.serving.runtime.service.ModelHost;

/**
 * {@code GET /runtime/model}: the served model described for clients that build requests from it (the runtime's
 * page). Not part of AI Platform's API, hence a path outside {@code /v1}; 503 while the model loads or after it
 * failed, like {@code :explain}.
 */
@Path("/runtime/model")
public class RuntimeModelResource {

    private final ModelHost models;

    public RuntimeModelResource(ModelHost models) {
        this.models = models;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(
            summary = "Describe the served model (runtime-specific)",
            description = "The model's request inputs (signature), explained inputs (modality, encoding, the "
                    + "embedding of embedding encodings, feature names, domain, baselines, effective visualization "
                    + "of images), explained outputs (label names), the attribution method with its parameters, and "
                    + "a sample instance. "
                    + "503 {\"error\"} while the model loads or after it failed to load.")
    @APIResponse(
            responseCode = "200",
            description = "the served model's description",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = ModelDescriptionWire.Description.class)))
    @APIResponse(
            responseCode = "default",
            description = "an error: 503 while the model loads or after it failed to load",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = ErrorBody.AiPlatformError.class)))
    public ModelDescriptionWire.Description describe() {
        LoadedModel loaded = models.ready();
        ExampleNeighbors examples = loaded.pipeline().examples();
        return ModelDescriptionWire.Description.of(
                models.modelName(),
                models.version(),
                loaded.description(),
                examples == null ? null : examples.set().report());
    }
}
