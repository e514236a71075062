package dev.explainable.serving.operator.management;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.ext.web.Router;

import dev.explainable.serving.operator.management.ml.MlRoutes;

/** Puts the management API on the operator's HTTP server (port 8081, beside health and metrics). */
@ApplicationScoped
public class ManagementHttp {

    void install(@Observes Router router, KubernetesClient operatorClient) {
        MlRoutes.install(new ManagementRoutes(router, new CallerClients(operatorClient.getConfiguration())));
    }
}
