package dev.explainable.serving.runtime.api.aiplatform;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;

import dev.explainable.serving.contract.AttributionMethod;
import dev.explainable.serving.runtime.api.call.CallRunner;
import dev.explainable.serving.runtime.api.call.ExplanationOverrides;
import dev.explainable.serving.runtime.api.errors.ApiException;
import dev.explainable.serving.runtime.api.errors.ErrorBody;
import dev.explainable.serving.runtime.config.ExplainConfig;
import dev.explainable.serving.runtime.monitoring.AttributionMonitor;
import dev.explainable.serving.runtime.result.Explanation;
import dev.explainable.serving.runtime.service.ExplainOptions;
import dev.explainable.serving.runtime.service.ExplanationPipeline;
import dev.explainable.serving.runtime.service.ModelHost;
import dev.explainable.serving.runtime.work.InvalidRequestException;

/**
 * AI Platform's {@code projects.explain} and {@code projects.predict}:
 * {@code POST /v1/projects/{project}/models/{model}[/versions/{version}]:explain|:predict}.
 *
 * <p>The colon sits inside the last path segment, which a JAX-RS template like {@code versions/{v}:explain}
 * does not match reliably; the whole tail is captured and parsed here instead.
 */
@Path("/v1/projects/{project}/models/{target: .+}")
public class PredictionResource {

    private static final Logger LOG = Logger.getLogger(PredictionResource.class);
    private static final Pattern RESOURCE = Pattern.compile("([^/:]+)(?:/versions/([^/:]+))?");
    private static final Pattern TARGET = Pattern.compile("([^/:]+)(?:/versions/([^/:]+))?:([A-Za-z]+)");

    private final ModelHost models;
    private final ExplainConfig config;
    private final CallRunner calls;

    private final AttributionMonitor monitor;

    public PredictionResource(ModelHost models, ExplainConfig config, CallRunner calls, AttributionMonitor monitor) {
        this.monitor = monitor;
        this.models = models;
        this.config = config;
        this.calls = calls;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(
            summary = "Explain or predict",
            description = "AI Platform projects.explain / projects.predict. "
                    + "target is '{model}:explain', '{model}/versions/{version}:explain' (or :predict). "
                    + "Body: {\"instances\": [...]}. Errors: {\"error\": \"...\"}.")
    @APIResponse(
            responseCode = "200",
            description = ":explain's answer, or :predict's",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema =
                                    @Schema(
                                            oneOf = {
                                                AiPlatformWire.ExplainResponse.class,
                                                AiPlatformWire.PredictResponse.class
                                            })))
    @APIResponse(
            responseCode = "default",
            description = "an error",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = ErrorBody.AiPlatformError.class)))
    public Uni<Response> call(
            @PathParam("project") String project,
            @Parameter(description = "{model}[/versions/{version}]:explain|:predict") @PathParam("target")
                    String target,
            @Context RoutingContext http,
            byte[] body) {
        Matcher m = TARGET.matcher(target);
        if (!m.matches()) {
            throw new ApiException(
                    404,
                    "no such resource: projects/" + project + "/models/" + target
                            + " (expected models/{model}[/versions/{version}]:explain or :predict)");
        }
        String verb = m.group(3);
        if (!verb.equals("explain") && !verb.equals("predict")) {
            throw new ApiException(404, "unknown method ':" + verb + "'; use :explain or :predict");
        }
        return calls.run(http, verb, body, null, () -> resolve(m.group(1), m.group(2)), (pipeline, request) -> {
            if (!verb.equals("explain")) {
                return AiPlatformWire.PredictResponse.of(pipeline.predict(request.instances()));
            }
            if (pipeline.examples() != null) {
                throw new InvalidRequestException(
                        "this model explains by example (its explanations are the nearest"
                                + " examples of its example set), which AI Platform's explain has no field for: call Vertex's"
                                + " endpoints.explain (POST /v1/projects/{project}/locations/{location}/endpoints/{model}:explain)");
            }
            ExplainOptions options = ExplanationOverrides.read(
                    request.body(), request.parameters(), pipeline.method(), pipeline.mostLabels());
            List<Explanation> explanations = pipeline.explain(request.instances(), options);
            monitor.observe(explanations, options);
            return AiPlatformWire.ExplainResponse.of(explanations);
        });
    }

    /**
     * AI Platform's {@code projects.models.get} and {@code projects.models.versions.get}: gcloud's
     * {@code ai-platform predict} reads the model or version before predicting.
     */
    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(
            summary = "Describe the model or version",
            description = "AI Platform projects.models.get and "
                    + "projects.models.versions.get for the version this runtime serves.")
    @APIResponse(
            responseCode = "200",
            description = "the model with its default version, or the version",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(oneOf = {AiPlatformWire.Model.class, AiPlatformWire.Version.class})))
    @APIResponse(
            responseCode = "default",
            description = "an error",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = ErrorBody.AiPlatformError.class)))
    public AiPlatformWire.Resource describe(@PathParam("project") String project, @PathParam("target") String target) {
        Matcher m = RESOURCE.matcher(target);
        if (!m.matches()) {
            throw new ApiException(404, "no such resource: projects/" + project + "/models/" + target);
        }
        String modelName = "projects/" + project + "/models/" + models.modelName();
        if (!m.group(1).equals(models.modelName())
                || (m.group(2) != null && !m.group(2).equals(models.version()))) {
            throw new ApiException(
                    404,
                    "projects/" + project + "/models/" + target + " is not served here" + " (this endpoint serves "
                            + modelName + "/versions/" + models.version() + ")");
        }
        AiPlatformWire.Version version = AiPlatformWire.Version.of(
                modelName + "/versions/" + models.version(), models.state(), explanationConfig());
        return m.group(2) != null ? version : new AiPlatformWire.Model(modelName, version);
    }

    private AiPlatformWire.ExplanationConfig explanationConfig() {
        AttributionMethod method;
        try {
            method = AttributionMethod.fromRuntimeName(models.method());
        } catch (IllegalArgumentException e) {
            return AiPlatformWire.ExplanationConfig.none(); // the version is FAILED and its errorMessage says why
        }
        return AiPlatformWire.ExplanationConfig.of(method, config.integralSteps(), config.paths());
    }

    private ExplanationPipeline resolve(String model, String version) {
        if (!model.equals(models.modelName())) {
            throw new ApiException(
                    404,
                    "model '" + model + "' is not served here (this endpoint serves model '" + models.modelName()
                            + "')");
        }
        if (version != null && !version.equals(models.version())) {
            throw new ApiException(
                    404,
                    "version '" + version + "' of model '" + model
                            + "' is not served here (this endpoint serves version '" + models.version() + "')");
        }
        return models.ready().pipeline();
    }
}
