package dev.explainable.serving.operator.workflow;

import io.fabric8.kubernetes.api.model.Service;

import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.dependent.DesiredService;

/** Each version's Service ({@link DesiredService#forVersion}); a removed version's goes. */
public class VersionServices extends VersionObjects<Service> {

    public VersionServices() {
        super(Service.class, "its version was removed");
    }

    /** Not the model's Service ({@link ModelService}). */
    @Override
    boolean manages(ExplainableModel model, Service object) {
        return !object.getMetadata().getName().equals(model.getMetadata().getName());
    }
}
