package dev.explainable.serving.operator.management.ml;

import io.vertx.core.http.HttpMethod;

import dev.explainable.serving.operator.management.GoogleError;
import dev.explainable.serving.operator.management.ManagementRoutes;
import dev.explainable.serving.operator.management.Paging;

/**
 * AI Platform's (ml v1) management URLs, as gcloud calls them with {@code api_endpoint_overrides/ml} set to the
 * operator (../shared/spec/management-batch-facts.md §2): models, versions (with {@code :setDefault}) and operations
 * (with {@code :cancel}) under {@code /v1/projects/{project}}.
 */
public final class MlRoutes {

    private MlRoutes() {}

    public static void install(ManagementRoutes routes) {
        String models = "/v1/projects/:project/models";
        String model = models + "/:model";
        String versions = model + "/versions";
        String version = versions + "/:version";
        String operations = "/v1/projects/:project/operations";
        routes.route(
                        HttpMethod.POST,
                        models,
                        (c, ctx) -> MlModels.create(c, ManagementRoutes.project(ctx), ManagementRoutes.body(ctx)))
                .route(
                        HttpMethod.GET,
                        models,
                        (c, ctx) -> MlModels.list(
                                c,
                                ManagementRoutes.project(ctx),
                                Paging.of(
                                        ctx.request().getParam("pageSize"),
                                        ctx.request().getParam("pageToken"))))
                .route(
                        HttpMethod.GET,
                        model,
                        (c, ctx) -> MlModels.get(c, ManagementRoutes.project(ctx), ctx.pathParam("model")))
                .route(
                        HttpMethod.DELETE,
                        model,
                        (c, ctx) -> MlModels.delete(c, ManagementRoutes.project(ctx), ctx.pathParam("model")))
                .route(
                        HttpMethod.POST,
                        versions,
                        (c, ctx) -> MlVersions.create(
                                c, ManagementRoutes.project(ctx), ctx.pathParam("model"), ManagementRoutes.body(ctx)))
                .route(
                        HttpMethod.GET,
                        versions,
                        (c, ctx) -> MlVersions.list(
                                c,
                                ManagementRoutes.project(ctx),
                                ctx.pathParam("model"),
                                Paging.of(
                                        ctx.request().getParam("pageSize"),
                                        ctx.request().getParam("pageToken"))))
                .route(
                        HttpMethod.GET,
                        version,
                        (c, ctx) -> MlVersions.get(
                                c, ManagementRoutes.project(ctx), ctx.pathParam("model"), ctx.pathParam("version")))
                .route(
                        HttpMethod.DELETE,
                        version,
                        (c, ctx) -> MlVersions.delete(
                                c, ManagementRoutes.project(ctx), ctx.pathParam("model"), ctx.pathParam("version")))
                .route(HttpMethod.POST, version, (c, ctx) -> {
                    String target = ctx.pathParam("version");
                    if (!target.endsWith(":setDefault")) {
                        throw GoogleError.notFound("no method " + target + " (versions/{version}:setDefault)");
                    }
                    return MlVersions.setDefault(
                            c,
                            ManagementRoutes.project(ctx),
                            ctx.pathParam("model"),
                            target.substring(0, target.length() - ":setDefault".length()));
                })
                .route(HttpMethod.GET, operations + "/:operation", (c, ctx) -> {
                    String project = ManagementRoutes.project(ctx);
                    return MlOperations.get(c, project, MlOperations.parse(ctx.pathParam("operation")));
                })
                .route(HttpMethod.GET, operations, (c, ctx) -> MlOperationList.list(c, ManagementRoutes.project(ctx)))
                .route(HttpMethod.POST, operations + "/:operation", (c, ctx) -> {
                    String target = ctx.pathParam("operation");
                    if (!target.endsWith(":cancel")) {
                        throw GoogleError.notFound("no method " + target + " (operations/{operation}:cancel)");
                    }
                    MlOperations.parse(target.substring(0, target.length() - ":cancel".length()));
                    throw GoogleError.failedPrecondition("a version being created cannot be cancelled here:"
                            + " delete the version (versions delete) to stop it");
                });
    }
}
