package dev.explainable.serving.operator.management.vertex;

import java.util.List;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;

import dev.explainable.serving.operator.management.GoogleError;
import dev.explainable.serving.operator.management.ManagementRoutes;
import dev.explainable.serving.operator.management.Paging;

/**
 * Vertex AI's (aiplatform v1) management URLs, as gcloud ({@code api_endpoint_overrides/aiplatform}) and the Python
 * SDK ({@code aiplatform.init(api_endpoint=...)}) call them (../shared/spec/management-batch-facts.md §3): models
 * ({@code :upload}), endpoints ({@code :deployModel}, {@code :undeployModel}), batchPredictionJobs ({@code :cancel})
 * and operations, under {@code /v1/projects/{project}/locations/{location}} and {@code /v1beta1/...}; operations also
 * under {@code /ui/...}, where the SDK polls them. Verbs after a colon are one path segment with their resource.
 */
public final class VertexRoutes {

    private VertexRoutes() {}

    /** Serves the routes; {@code locations} are the Vertex locations this installation answers for. */
    public static void install(ManagementRoutes routes, List<String> locations) {
        for (String version : List.of("v1", "v1beta1")) {
            String base = "/" + version + "/projects/:project/locations/:location";
            routes.route(HttpMethod.POST, base + "/:collection", (c, ctx) -> {
                        Where at = at(ctx, version, locations);
                        return switch (ctx.pathParam("collection")) {
                            case "models:upload" -> UploadedModels.upload(c, at, ManagementRoutes.body(ctx));
                            case "endpoints" ->
                                Endpoints.create(
                                        c, at, ctx.request().getParam("endpointId"), ManagementRoutes.body(ctx));
                            case "batchPredictionJobs" -> BatchJobs.create(c, at, ManagementRoutes.body(ctx));
                            default -> throw GoogleError.notFound("no method " + ctx.pathParam("collection"));
                        };
                    })
                    .route(
                            HttpMethod.GET,
                            base + "/models",
                            (c, ctx) -> UploadedModels.list(c, at(ctx, version, locations), paging(ctx)))
                    .route(
                            HttpMethod.GET,
                            base + "/models/:model",
                            (c, ctx) -> UploadedModels.get(c, at(ctx, version, locations), ctx.pathParam("model")))
                    .route(
                            HttpMethod.DELETE,
                            base + "/models/:model",
                            (c, ctx) -> UploadedModels.delete(c, at(ctx, version, locations), ctx.pathParam("model")))
                    .route(
                            HttpMethod.GET,
                            base + "/endpoints",
                            (c, ctx) -> Endpoints.list(c, at(ctx, version, locations), paging(ctx)))
                    .route(
                            HttpMethod.GET,
                            base + "/endpoints/:endpoint",
                            (c, ctx) -> Endpoints.get(c, at(ctx, version, locations), ctx.pathParam("endpoint")))
                    .route(
                            HttpMethod.DELETE,
                            base + "/endpoints/:endpoint",
                            (c, ctx) -> Endpoints.delete(c, at(ctx, version, locations), ctx.pathParam("endpoint")))
                    .route(HttpMethod.POST, base + "/endpoints/:endpoint", (c, ctx) -> {
                        Where at = at(ctx, version, locations);
                        String target = ctx.pathParam("endpoint");
                        int colon = target.indexOf(':');
                        String endpoint = colon < 0 ? target : target.substring(0, colon);
                        String verb = colon < 0 ? "" : target.substring(colon + 1);
                        return switch (verb) {
                            case "deployModel" -> Endpoints.deployModel(c, at, endpoint, ManagementRoutes.body(ctx));
                            case "undeployModel" ->
                                Endpoints.undeployModel(c, at, endpoint, ManagementRoutes.body(ctx));
                            case "explain", "predict", "rawPredict" ->
                                throw GoogleError.notFound(":" + verb + " is answered by the model's runtime (its"
                                        + " Service, or the Ingress), not by the management API");
                            default -> throw GoogleError.notFound("no method " + target);
                        };
                    })
                    .route(
                            HttpMethod.GET,
                            base + "/batchPredictionJobs",
                            (c, ctx) -> BatchJobs.list(c, at(ctx, version, locations), paging(ctx)))
                    .route(
                            HttpMethod.GET,
                            base + "/batchPredictionJobs/:job",
                            (c, ctx) -> BatchJobs.get(c, at(ctx, version, locations), ctx.pathParam("job")))
                    .route(
                            HttpMethod.DELETE,
                            base + "/batchPredictionJobs/:job",
                            (c, ctx) -> BatchJobs.delete(c, at(ctx, version, locations), ctx.pathParam("job")))
                    .route(HttpMethod.POST, base + "/batchPredictionJobs/:job", (c, ctx) -> {
                        String target = ctx.pathParam("job");
                        if (!target.endsWith(":cancel")) {
                            throw GoogleError.notFound("no method " + target);
                        }
                        return BatchJobs.cancel(
                                c,
                                at(ctx, version, locations),
                                target.substring(0, target.length() - ":cancel".length()));
                    });
            operations(routes, base, version, locations);
        }
        operations(routes, "/ui/projects/:project/locations/:location", "v1", locations);
    }

    /** operations.get by id at location level and nested under a model or an endpoint: the id alone decides. */
    private static void operations(ManagementRoutes routes, String base, String version, List<String> locations) {
        for (String path : List.of(
                base + "/operations/:operation",
                base + "/models/:model/operations/:operation",
                base + "/endpoints/:endpoint/operations/:operation")) {
            routes.route(
                    HttpMethod.GET,
                    path,
                    (c, ctx) -> VertexOperations.get(
                            c, at(ctx, version, locations), VertexOperations.parse(ctx.pathParam("operation"))));
        }
    }

    static Where at(RoutingContext ctx, String version, List<String> locations) {
        String project = ManagementRoutes.project(ctx);
        String location = ctx.pathParam("location");
        if (!locations.contains(location)) {
            throw GoogleError.invalid("location " + (location.length() > 64 ? location.substring(0, 64) : location)
                    + " is not served here: one of " + String.join(", ", locations)
                    + " (the operator's explainable.operator.ingress.vertex-locations)");
        }
        return new Where(project, location, version);
    }

    private static Paging paging(RoutingContext ctx) {
        String filter = ctx.request().getParam("filter");
        if (filter != null && !filter.isBlank()) {
            throw GoogleError.invalid("filter is not supported here: list all and filter on the client");
        }
        return Paging.of(ctx.request().getParam("pageSize"), ctx.request().getParam("pageToken"));
    }
}
