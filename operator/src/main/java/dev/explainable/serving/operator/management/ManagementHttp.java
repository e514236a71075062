package dev.explainable.serving.operator.management;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.ext.web.Router;

import dev.explainable.serving.operator.config.OperatorConfig;
import dev.explainable.serving.operator.management.ml.MlRoutes;
import dev.explainable.serving.operator.management.vertex.VertexRoutes;

/** Puts the management API on the operator's HTTP server (port 8081, beside health and metrics). */
@ApplicationScoped
public class ManagementHttp {

    void install(@Observes Router router, KubernetesClient operatorClient, OperatorConfig config) {
        // one ManagementRoutes: both families share its bound on calls in flight
        ManagementRoutes routes = new ManagementRoutes(router, new CallerClients(operatorClient.getConfiguration()));
        MlRoutes.install(routes);
        VertexRoutes.install(routes, config.ingress().vertexLocations());
    }
}
