package dev.explainable.serving.runtime.api.vertex;

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
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

import com.fasterxml.jackson.databind.JsonNode;

import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;

import dev.explainable.serving.runtime.api.call.CallRunner;
import dev.explainable.serving.runtime.api.call.ExamplesOverrides;
import dev.explainable.serving.runtime.api.call.ExplanationOverrides;
import dev.explainable.serving.runtime.api.call.WireValues;
import dev.explainable.serving.runtime.api.errors.ApiException;
import dev.explainable.serving.runtime.api.errors.ErrorBody;
import dev.explainable.serving.runtime.api.forwarding.VersionForwarder;
import dev.explainable.serving.runtime.api.http.ForwardedMark;
import dev.explainable.serving.runtime.config.ExplainConfig;
import dev.explainable.serving.runtime.monitoring.AttributionMonitor;
import dev.explainable.serving.runtime.service.ExampleNeighbors;
import dev.explainable.serving.runtime.service.ExplainOptions;
import dev.explainable.serving.runtime.service.ExplanationPipeline;
import dev.explainable.serving.runtime.service.ModelHost;
import dev.explainable.serving.runtime.service.NeighborRequest;
import dev.explainable.serving.runtime.work.InvalidRequestException;

/**
 * Vertex AI's {@code endpoints.explain} and {@code endpoints.predict}:
 * {@code POST /v1[beta1]/projects/{project}/locations/{location}/endpoints/{endpoint}:explain|:predict}. The endpoint
 * is the model's name, {@code deployedModelId} a version's; without it the version this runtime serves (the default
 * one, behind the model's Service) answers. A request for another endpoint is 404 and never forwarded; one for this
 * model naming another of its versions is forwarded to it ({@link VersionForwarder}). Errors use Google's API error
 * shape ({@link ErrorBody.GoogleError}).
 */
@Path("/{apiVersion: v1|v1beta1}/projects/{project}/locations/{location}/endpoints/{target: .+}")
public class VertexPredictionResource {

    private static final Pattern TARGET = Pattern.compile("([^/:]+):([A-Za-z]+)");

    private final ModelHost models;
    private final CallRunner calls;
    private final VersionForwarder forwarder;
    private final int maxConcurrent;

    private final AttributionMonitor monitor;

    public VertexPredictionResource(
            ModelHost models,
            CallRunner calls,
            VersionForwarder forwarder,
            ExplainConfig config,
            AttributionMonitor monitor) {
        this.maxConcurrent = config.limits().maxConcurrentExplanations();
        this.monitor = monitor;
        this.models = models;
        this.calls = calls;
        this.forwarder = forwarder;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(
            summary = "Explain or predict (Vertex AI)",
            description = "Vertex AI endpoints.explain / endpoints.predict. target is '{endpoint}:explain' or "
                    + "':predict'; the endpoint is the model's name, deployedModelId a version's. Body: "
                    + "{\"instances\": [...], \"deployedModelId\", \"explanationSpecOverride\"} (v1beta1 also"
                    + " \"concurrentExplanationSpecOverride\"). Errors: "
                    + "{\"error\": {\"code\", \"message\", \"status\"}}.")
    @APIResponse(
            responseCode = "200",
            description = ":explain's answer, or :predict's",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema =
                                    @Schema(
                                            oneOf = {VertexWire.ExplainResponse.class, VertexWire.PredictResponse.class
                                            })))
    @APIResponse(
            responseCode = "default",
            description = "an error",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = ErrorBody.GoogleError.class)))
    public Uni<Response> call(
            @PathParam("apiVersion") String apiVersion,
            @PathParam("project") String project,
            @PathParam("location") String location,
            @PathParam("target") String target,
            @Context RoutingContext http,
            byte[] body) {
        Matcher m = TARGET.matcher(target);
        if (!m.matches() || !(m.group(2).equals("explain") || m.group(2).equals("predict"))) {
            throw new ApiException(
                    404,
                    "no such method: projects/" + project + "/locations/" + location + "/endpoints/" + target
                            + " (expected endpoints/{endpoint}:explain or :predict)");
        }
        String endpoint = m.group(1);
        String verb = m.group(2);
        boolean forwarded = http.request().getHeader(ForwardedMark.FORWARDED_HEADER) != null;
        // the path, not the request target as sent (which may be an absolute URI naming another host)
        String query = http.request().query();
        String pathAndQuery = http.request().path() + (query != null ? "?" + query : "");
        return calls.run(
                http,
                verb,
                body,
                (raw, deadline) -> {
                    // Another version of this model answers its own requests, without taking one of this version's
                    // slots. Only this model's: a request for another endpoint is never forwarded (resolve() answers
                    // it 404), whatever its deployedModelId.
                    if (!endpoint.equals(models.modelName()) || forwarded || !forwarder.enabled()) {
                        return null;
                    }
                    String other = VersionForwarder.deployedModelIdOf(raw);
                    if (other == null || other.equals(models.version())) {
                        return null;
                    }
                    return forwarder.forward(
                            other, pathAndQuery, raw, http.request().getHeader("Authorization"), deadline);
                },
                () -> resolve(endpoint),
                (pipeline, request) -> {
                    String deployed = deployedModelId(request.body());
                    List<JsonNode> instances = request.instances();
                    if (verb.equals("predict")) {
                        return new VertexWire.PredictResponse(
                                WireValues.predictionList(pipeline.predict(instances)), deployed);
                    }
                    if (pipeline.examples() != null) {
                        return explainByExample(pipeline, request.body(), instances, deployed, apiVersion);
                    }
                    ExplainOptions options = ExplanationOverrides.read(
                            request.body(), request.parameters(), pipeline.method(), pipeline.mostLabels());
                    // every override checked before any work starts
                    Map<String, ExplainOptions> concurrent = ConcurrentOverrides.read(
                            request.body(),
                            request.parameters(),
                            apiVersion,
                            pipeline.method(),
                            pipeline.mostLabels(),
                            maxConcurrent);
                    // the named overrides at once with the request's own, in its admission slot and deadline, so
                    // that their runs meet in shared runs
                    ExplanationPipeline.ConcurrentAnswers all = concurrent.isEmpty()
                            ? new ExplanationPipeline.ConcurrentAnswers(
                                    pipeline.explainAndPredict(instances, options), Map.of())
                            : pipeline.explainConcurrently(instances, options, concurrent);
                    ExplanationPipeline.ExplainedPredictions answer = all.own();
                    monitor.observe(answer.explanations(), options);
                    VertexWire.ExplainResponse response = VertexWire.ExplainResponse.of(
                            answer.explanations(),
                            instances,
                            deployed,
                            WireValues.predictionList(answer.predictions()));
                    if (concurrent.isEmpty()) {
                        return response;
                    }
                    Map<String, VertexWire.ConcurrentExplanation> named = new LinkedHashMap<>();
                    all.named()
                            .forEach((name, explanations) -> named.put(
                                    name,
                                    new VertexWire.ConcurrentExplanation(
                                            VertexWire.ExplainResponse.of(explanations, instances, deployed, List.of())
                                                    .explanations())));
                    return response.withConcurrentExplanations(named);
                });
    }

    /**
     * The explanation of a model deployed with an example set: each instance's nearest examples, and those of each
     * named override (v1beta1), every override checked before any work starts.
     */
    private VertexWire.ExplainResponse explainByExample(
            ExplanationPipeline pipeline, JsonNode body, List<JsonNode> instances, String deployed, String apiVersion) {
        int most = pipeline.examples().maxNeighborCount();
        NeighborRequest own = ExamplesOverrides.read(body, most);
        Map<String, NeighborRequest> concurrent =
                ConcurrentOverrides.readExamples(body, apiVersion, most, maxConcurrent);
        // the instances embedded once for the request and all its named overrides
        Map<String, NeighborRequest> requests = new LinkedHashMap<>();
        requests.put("", own);
        requests.putAll(concurrent);
        Map<String, ExampleNeighbors.Answers> answers = pipeline.neighbors(instances, requests);
        ExampleNeighbors.Answers answer = answers.get("");
        VertexWire.ExplainResponse response = VertexWire.ExplainResponse.ofNeighbors(
                answer.neighbors(), answer.embeddings(), deployed, WireValues.predictionList(answer.predictions()));
        if (concurrent.isEmpty()) {
            return response;
        }
        Map<String, VertexWire.ConcurrentExplanation> named = new LinkedHashMap<>();
        concurrent.keySet().forEach(name -> {
            ExampleNeighbors.Answers a = answers.get(name);
            named.put(
                    name,
                    new VertexWire.ConcurrentExplanation(
                            VertexWire.ExplainResponse.ofNeighbors(a.neighbors(), a.embeddings(), deployed, List.of())
                                    .explanations()));
        });
        return response.withConcurrentExplanations(named);
    }

    /**
     * Vertex's {@code endpoints.get}: Google's SDK reads the Endpoint before every call. This runtime's endpoint has
     * one deployed model, the version it serves, with all the traffic.
     */
    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Describe the endpoint (Vertex AI)", description = "Vertex AI endpoints.get")
    @APIResponse(
            responseCode = "200",
            description = "the Endpoint",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = VertexWire.Endpoint.class)))
    @APIResponse(
            responseCode = "default",
            description = "an error",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = ErrorBody.GoogleError.class)))
    public VertexWire.Endpoint describe(
            @PathParam("apiVersion") String apiVersion,
            @PathParam("project") String project,
            @PathParam("location") String location,
            @PathParam("target") String target) {
        requireServed(target);
        return VertexWire.Endpoint.of(
                "projects/" + project + "/locations/" + location + "/endpoints/" + target,
                models.modelName(),
                models.version(),
                "projects/" + project + "/locations/" + location + "/models/" + models.modelName());
    }

    private ExplanationPipeline resolve(String endpoint) {
        requireServed(endpoint);
        return models.ready().pipeline();
    }

    /** 404 unless {@code endpoint} is this runtime's: its name is the model's. */
    private void requireServed(String endpoint) {
        if (!endpoint.equals(models.modelName())) {
            throw new ApiException(
                    404,
                    "endpoint '" + abbreviate(endpoint) + "' is not served here (this endpoint serves model '"
                            + models.modelName() + "')");
        }
    }

    /** The version that answers: the one this runtime serves, which a {@code deployedModelId} must name. */
    private String deployedModelId(JsonNode body) {
        JsonNode id = body.get("deployedModelId");
        if (id == null || id.isNull() || (id.isTextual() && id.asText().isEmpty())) {
            return models.version();
        }
        if (!id.isTextual()) {
            throw new InvalidRequestException("deployedModelId must be a string");
        }
        if (!id.asText().equals(models.version())) {
            throw new ApiException(
                    404,
                    "deployed model '" + abbreviate(id.asText()) + "' is not served by this runtime (it serves '"
                            + models.version() + "'); address that version's own URL");
        }
        return id.asText();
    }

    private static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }
}
