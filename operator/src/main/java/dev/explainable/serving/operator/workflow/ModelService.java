package dev.explainable.serving.operator.workflow;

import io.fabric8.kubernetes.api.model.Service;

import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.dependent.DesiredService;

/** The model's Service ({@link DesiredService#forModel}), selecting the default version's pods. */
public class ModelService extends OneObject<Service> {

    public ModelService() {
        super(Service.class, "its model no longer has it");
    }

    @Override
    String name(ExplainableModel model) {
        return model.getMetadata().getName();
    }
}
