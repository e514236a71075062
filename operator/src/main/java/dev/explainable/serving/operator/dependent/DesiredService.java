package dev.explainable.serving.operator.dependent;

import java.util.Map;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;

import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.api.VersionSpec;

/** A Service per version, and the model's Service in front of its default version. */
public final class DesiredService {

    private DesiredService() {}

    public static Service forVersion(ExplainableModel m, VersionSpec v) {
        String model = m.getMetadata().getName();
        return service(
                m,
                DesiredState.versionName(m, v.getName()),
                Labels.forVersion(model, v.getName()),
                Labels.selector(model, v.getName()));
    }

    /**
     * Selects the default version's pods; switching the default changes only this selector.
     *
     * <p>A model without versions (so without a default) keeps its Service, selecting no pod: its name and ClusterIP
     * stay the model's for its whole life, as a Vertex endpoint's URL exists before a model is deployed to it, so
     * what refers to it (clients, the Ingress, DNS) need not change when the first version arrives or the last one
     * goes, and removing the last version deletes only version objects, as removing any version does. A call to it
     * is refused (no endpoints) until a version is the default.
     */
    public static Service forModel(ExplainableModel m) {
        String model = m.getMetadata().getName();
        String defaultVersion = m.getSpec().getDefaultVersion();
        return service(
                m,
                model,
                Labels.forModel(model),
                Labels.selector(model, defaultVersion == null ? Labels.NO_VERSION : defaultVersion));
    }

    private static Service service(
            ExplainableModel m, String name, Map<String, String> labels, Map<String, String> selector) {
        return new ServiceBuilder()
                .withMetadata(DesiredState.meta(m, name, labels))
                .withNewSpec()
                .withType("ClusterIP")
                .withSelector(selector)
                .addNewPort()
                .withName("http")
                .withPort(80)
                .withTargetPort(new IntOrString("http"))
                .withProtocol("TCP")
                .endPort()
                .endSpec()
                .build();
    }
}
