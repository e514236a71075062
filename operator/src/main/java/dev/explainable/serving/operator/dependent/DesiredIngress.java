package dev.explainable.serving.operator.dependent;

import java.util.ArrayList;
import java.util.List;

import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPathBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;

import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.VersionSpec;
import dev.explainable.serving.operator.config.OperatorConfig;

/**
 * The model's Ingress, where the operator's configuration turns ingresses on: the AI Platform URL paths of the
 * model ({@link DesiredState#path}) to its Service, and of each version to the version's.
 */
public final class DesiredIngress {

    private DesiredIngress() {}

    public static Ingress of(ExplainableModel m, OperatorConfig config) {
        String model = m.getMetadata().getName();
        List<HTTPIngressPath> paths = new ArrayList<>();
        for (String verb : List.of("explain", "predict")) {
            paths.add(exact(DesiredState.path(m, null, verb), model));
            for (VersionSpec v : m.getSpec().getVersions()) {
                paths.add(exact(DesiredState.path(m, v.getName(), verb), DesiredState.versionName(m, v.getName())));
            }
            // Vertex's URLs reach the model's Service; its runtime routes deployedModelId to other versions
            for (String location : config.ingress().vertexLocations()) {
                for (String api : List.of("v1", "v1beta1")) {
                    paths.add(exact(
                            "/" + api + "/projects/" + m.getMetadata().getNamespace() + "/locations/" + location
                                    + "/endpoints/" + model + ":" + verb,
                            model));
                }
            }
        }
        return new IngressBuilder()
                .withMetadata(DesiredState.meta(m, model, Labels.forModel(model)))
                .withNewSpec()
                .withIngressClassName(config.ingress().className().orElse(null))
                .addNewRule()
                .withHost(config.ingress().host().orElse(null))
                .withNewHttp()
                .withPaths(paths)
                .endHttp()
                .endRule()
                .endSpec()
                .build();
    }

    private static HTTPIngressPath exact(String path, String service) {
        return new HTTPIngressPathBuilder()
                .withPath(path)
                .withPathType("Exact")
                .withNewBackend()
                .withNewService()
                .withName(service)
                .withNewPort()
                .withName("http")
                .endPort()
                .endService()
                .endBackend()
                .build();
    }
}
