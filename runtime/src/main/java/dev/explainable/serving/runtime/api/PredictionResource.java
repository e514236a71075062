package dev.explainable.serving.runtime.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
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

import dev.explainable.serving.runtime.config.ExplainConfig;
import dev.explainable.serving.runtime.explain.Explanation;
import dev.explainable.serving.runtime.explain.Instance;
import dev.explainable.serving.runtime.model.ModelService;
import dev.explainable.serving.runtime.model.ModelService.Loaded;
import dev.explainable.serving.runtime.tensor.HostTensor;
import dev.explainable.serving.runtime.metadata.MetadataException;
import dev.explainable.serving.runtime.work.Admission;
import dev.explainable.serving.runtime.work.DeadlineExceededException;
import dev.explainable.serving.runtime.work.InvalidInstanceException;
import dev.explainable.serving.runtime.work.LimitExceededException;
import dev.explainable.serving.runtime.work.OverloadedException;
import dev.explainable.serving.runtime.work.RequestDeadline;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.ext.web.RoutingContext;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

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

    private final ModelService models;
    private final RequestReader reader;
    private final MeterRegistry registry;
    private final ExplainConfig config;
    private final AdmissionControl admission;

    public PredictionResource(ModelService models, ExplainConfig config, MeterRegistry registry,
            AdmissionControl admission) {
        this.admission = admission;
        this.models = models;
        this.reader = new RequestReader(config.maxRequestBytes());
        this.registry = registry;
        this.config = config;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Explain or predict", description = "AI Platform projects.explain / projects.predict. "
            + "target is '{model}:explain', '{model}/versions/{version}:explain' (or :predict). "
            + "Body: {\"instances\": [...]}. Errors: {\"error\": \"...\"}.")
    public Uni<Map<String, Object>> call(@PathParam("project") String project,
            @Parameter(description = "{model}[/versions/{version}]:explain|:predict") @PathParam("target") String target,
            @Context RoutingContext http, byte[] body) {
        // Non-blocking signature: the body is read on the event loop, so a slow client holds a connection but no
        // worker; the work itself then runs on a worker thread.
        RequestDeadline deadline = HttpGuards.deadline(http);
        return Uni.createFrom().item(() -> {
            try {
                return handle(project, target, deadline, body);
            } catch (DeadlineExceededException e) {
                if (deadline.isCancelled()) {
                    // the client has gone and nobody reads an answer; counted in handle(), nothing to report
                    return Map.<String, Object>of();
                }
                throw e;
            }
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    private Map<String, Object> handle(String project, String target, RequestDeadline deadline, byte[] body) {
        Matcher m = TARGET.matcher(target);
        if (!m.matches()) {
            throw new ApiException(404, "no such resource: projects/" + project + "/models/" + target
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
            Loaded loaded = resolve(m.group(1), m.group(2));
            // admitted before parsing: a queued request holds its raw body only, not the larger JSON tree
            try (Admission.Permit permit = (explain ? admission.explanations() : admission.predictions())
                    .acquire(deadline)) {
                RequestReader.Request request = reader.read(body);
                List<JsonNode> instances = request.instances();
                if (instances.size() > config.limits().maxInstances()) {
                    throw new LimitExceededException("the request has " + instances.size() + " instances, more than "
                            + "the limit of " + config.limits().maxInstances() + " (explain.limits.max-instances)");
                }
                Map<String, Object> visualization = explain ? visualizationOverride(request.parameters()) : null;
                List<Map<String, HostTensor>> decoded = new ArrayList<>();
                for (int i = 0; i < instances.size(); i++) {
                    decoded.add(loaded.decoder().decode(instances.get(i), i));
                }
                Map<String, Object> response = explain ? explain(loaded, decoded, visualization)
                        : predict(loaded, decoded);
                outcome = "success";
                registry.counter("explainable.instances", "verb", verb).increment(instances.size());
                return response;
            }
        } catch (ApiException e) {
            outcome = e.status() < 500 ? "client_error" : "server_error";
            throw e;
        } catch (LimitExceededException | InvalidInstanceException | MetadataException e) {
            outcome = "client_error";
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
                    .tag("verb", verb).tag("method", explain ? models.method() : "none")
                    .tag("outcome", outcome).publishPercentileHistogram().register(registry));
        }
    }

    /**
     * AI Platform's {@code projects.models.get} and {@code projects.models.versions.get}: gcloud's
     * {@code ai-platform predict} reads the model or version before predicting.
     */
    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Describe the model or version", description = "AI Platform projects.models.get and "
            + "projects.models.versions.get for the version this runtime serves.")
    public Map<String, Object> describe(@PathParam("project") String project, @PathParam("target") String target) {
        Matcher m = RESOURCE.matcher(target);
        if (!m.matches()) {
            throw new ApiException(404, "no such resource: projects/" + project + "/models/" + target);
        }
        String modelName = "projects/" + project + "/models/" + models.modelName();
        if (!m.group(1).equals(models.modelName()) || (m.group(2) != null && !m.group(2).equals(models.version()))) {
            throw new ApiException(404, "projects/" + project + "/models/" + target + " is not served here"
                    + " (this endpoint serves " + modelName + "/versions/" + models.version() + ")");
        }
        Map<String, Object> version = new LinkedHashMap<>();
        version.put("name", modelName + "/versions/" + models.version());
        version.put("isDefault", true);
        version.put("state", models.loaded() != null ? "READY" : models.failure() != null ? "FAILED" : "CREATING");
        if (models.failure() != null) {
            version.put("errorMessage", models.failure());
        }
        version.put("framework", "TENSORFLOW");
        version.put("pythonVersion", "3.7");
        version.put("runtimeVersion", "2.11");
        version.put("explanationConfig", explanationConfig());
        if (m.group(2) != null) {
            return version;
        }
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("name", modelName);
        model.put("defaultVersion", version);
        return model;
    }

    private Map<String, Object> explanationConfig() {
        return switch (models.method()) {
            case "xrai" -> Map.of("xraiAttribution", Map.of("numIntegralSteps", config.integralSteps()));
            case "sampled-shapley" -> Map.of("sampledShapleyAttribution", Map.of("numPaths", config.paths()));
            default -> Map.of("integratedGradientsAttribution", Map.of("numIntegralSteps", config.integralSteps()));
        };
    }

    private Loaded resolve(String model, String version) {
        if (!model.equals(models.modelName())) {
            throw new ApiException(404, "model '" + model + "' is not served here (this endpoint serves model '"
                    + models.modelName() + "')");
        }
        if (version != null && !version.equals(models.version())) {
            throw new ApiException(404, "version '" + version + "' of model '" + model
                    + "' is not served here (this endpoint serves version '" + models.version() + "')");
        }
        Loaded loaded = models.loaded();
        if (loaded == null) {
            String failure = models.failure();
            throw new ApiException(503, failure == null ? "model '" + model + "' is still loading; retry shortly"
                    : "model '" + model + "' failed to load: " + failure);
        }
        return loaded;
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
            throw ApiException.badRequest("\"parameters.visualization\" must be an object");
        }
        return JSON.convertValue(v, Map.class);
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private Map<String, Object> explain(Loaded loaded, List<Map<String, HostTensor>> decoded,
            Map<String, Object> visualization) {
        List<Instance> forward = loaded.runner().forward(decoded);
        long work = 0;
        for (Instance instance : forward) {
            long elements = loaded.runner().explainedElements(instance);
            // refuses, before any gradient, an instance larger than one model run may take
            loaded.runner().pointsPerRun(1, elements);
            work += loaded.explainer().evaluations(instance) * elements;
        }
        long max = config.limits().maxRequestElements();
        if (work > max) {
            throw new LimitExceededException("explaining this request would evaluate " + work + " input values ("
                    + "instances x points x values per point), more than the limit of " + max
                    + " (explain.limits.max-request-elements); send fewer or smaller instances");
        }
        List<Explanation> explanations = new ArrayList<>();
        for (Instance instance : forward) {
            explanations.add(loaded.explainer().explain(instance, visualization));
        }
        return Map.of("explanations", explanations);
    }

    private static Map<String, Object> predict(Loaded loaded, List<Map<String, HostTensor>> decoded) {
        List<Map<String, HostTensor>> results = loaded.runner().predict(decoded);
        List<Object> predictions = new ArrayList<>();
        for (Map<String, HostTensor> row : results) {
            if (row.size() == 1) {
                predictions.add(row.values().iterator().next().toJson());
            } else {
                Map<String, Object> named = new LinkedHashMap<>();
                row.forEach((key, value) -> named.put(key, value.toJson()));
                predictions.add(named);
            }
        }
        return Map.of("predictions", predictions);
    }
}
