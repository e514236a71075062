package dev.explainable.serving.runtime.api;

import java.util.List;
import java.util.Map;
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

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.ext.web.RoutingContext;

import dev.explainable.serving.contract.AttributionMethod;
import dev.explainable.serving.runtime.config.ExplainConfig;
import dev.explainable.serving.runtime.metadata.MetadataException;
import dev.explainable.serving.runtime.service.ExplanationPipeline;
import dev.explainable.serving.runtime.service.ModelHost;
import dev.explainable.serving.runtime.service.ModelNotReadyException;
import dev.explainable.serving.runtime.work.Admission;
import dev.explainable.serving.runtime.work.DeadlineExceededException;
import dev.explainable.serving.runtime.work.InvalidRequestException;
import dev.explainable.serving.runtime.work.LimitExceededException;
import dev.explainable.serving.runtime.work.OverloadedException;
import dev.explainable.serving.runtime.work.RequestDeadline;

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
    private final RequestReader reader;
    private final MeterRegistry registry;
    private final ExplainConfig config;
    private final AdmissionControl admission;

    public PredictionResource(
            ModelHost models, ExplainConfig config, MeterRegistry registry, AdmissionControl admission) {
        this.admission = admission;
        this.models = models;
        this.reader = new RequestReader(config.maxRequestBytes());
        this.registry = registry;
        this.config = config;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(
            summary = "Explain or predict",
            description = "AI Platform projects.explain / projects.predict. "
                    + "target is '{model}:explain', '{model}/versions/{version}:explain' (or :predict). "
                    + "Body: {\"instances\": [...]}. Errors: {\"error\": \"...\"}.")
    public Uni<Map<String, Object>> call(
            @PathParam("project") String project,
            @Parameter(description = "{model}[/versions/{version}]:explain|:predict") @PathParam("target")
                    String target,
            @Context RoutingContext http,
            byte[] body) {
        // Non-blocking signature: the body is read on the event loop, so a slow client holds a connection but no
        // worker; the work itself then runs on a worker thread.
        RequestDeadline deadline = HttpGuards.deadline(http);
        return Uni.createFrom()
                .item(() -> {
                    try {
                        return handle(project, target, deadline, body);
                    } catch (DeadlineExceededException e) {
                        if (deadline.isCancelled()) {
                            // the client has gone and nobody reads an answer; counted in handle(), nothing to report
                            return Map.<String, Object>of();
                        }
                        throw e;
                    }
                })
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    private Map<String, Object> handle(String project, String target, RequestDeadline deadline, byte[] body) {
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
        boolean explain = verb.equals("explain");
        Timer.Sample sample = Timer.start(registry);
        String outcome = "error";
        try (RequestDeadline.Scope scope = deadline.enter()) {
            ExplanationPipeline pipeline = resolve(m.group(1), m.group(2));
            // admitted before parsing: a queued request holds its raw body only, not the larger JSON tree
            try (Admission.Permit permit =
                    (explain ? admission.explanations() : admission.predictions()).acquire(deadline)) {
                RequestReader.Request request = reader.read(body);
                List<JsonNode> instances = request.instances();
                Map<String, Object> response = explain
                        ? AiPlatformJson.explanations(
                                pipeline.explain(instances, visualizationOverride(request.parameters())))
                        : AiPlatformJson.predictions(pipeline.predict(instances));
                outcome = "success";
                registry.counter("explainable.instances", "verb", verb).increment(instances.size());
                return response;
            }
        } catch (ApiException e) {
            outcome = e.status() < 500 ? "client_error" : "server_error";
            throw e;
        } catch (LimitExceededException | InvalidRequestException | MetadataException e) {
            outcome = "client_error";
            throw e;
        } catch (ModelNotReadyException e) {
            outcome = "server_error"; // the model is loading or failed: not the client's doing
            throw e;
        } catch (OverloadedException e) {
            outcome = "rejected";
            throw e;
        } catch (DeadlineExceededException e) {
            outcome = e.cancelled() ? "cancelled" : "deadline_exceeded";
            throw e;
        } finally {
            sample.stop(Timer.builder("explainable.requests")
                    .description("explain and predict requests, by verb, attribution method and outcome")
                    .tag("verb", verb)
                    .tag("method", explain ? models.method() : "none")
                    .tag("outcome", outcome)
                    .publishPercentileHistogram()
                    .register(registry));
        }
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
    public Map<String, Object> describe(@PathParam("project") String project, @PathParam("target") String target) {
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
        Map<String, Object> version = AiPlatformJson.version(
                modelName + "/versions/" + models.version(), models.state(), explanationConfig());
        return m.group(2) != null ? version : AiPlatformJson.model(modelName, version);
    }

    private Map<String, Object> explanationConfig() {
        AttributionMethod method;
        try {
            method = AttributionMethod.fromRuntimeName(models.method());
        } catch (IllegalArgumentException e) {
            return Map.of(); // the version is FAILED and its errorMessage says why
        }
        return switch (method) {
            case XRAI -> Map.of("xraiAttribution", Map.of("numIntegralSteps", config.integralSteps()));
            case SAMPLED_SHAPLEY -> Map.of("sampledShapleyAttribution", Map.of("numPaths", config.paths()));
            case INTEGRATED_GRADIENTS ->
                Map.of("integratedGradientsAttribution", Map.of("numIntegralSteps", config.integralSteps()));
        };
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

    /**
     * An extension of the AI Platform request: {@code "parameters": {"visualization": {...}}} overrides the
     * metadata's visualization settings of image inputs for this request (the runtime's page uses it).
     */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> visualizationOverride(JsonNode parameters) {
        if (parameters == null || !parameters.has("visualization")) {
            return null;
        }
        JsonNode v = parameters.get("visualization");
        if (!v.isObject()) {
            throw new InvalidRequestException("\"parameters.visualization\" must be an object");
        }
        return JSON.convertValue(v, Map.class);
    }

    private static final ObjectMapper JSON = new ObjectMapper();
}
