package dev.explainable.serving.operator.workflow;

import io.fabric8.kubernetes.api.model.ConfigMap;

import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.dependent.DesiredConfigMap;
import dev.explainable.serving.operator.dependent.DesiredState;

/** The model's versions ConfigMap ({@link DesiredConfigMap#forModel}), which every version's pods mount. */
public class VersionsConfigMap extends OneObject<ConfigMap> {

    public VersionsConfigMap() {
        super(ConfigMap.class, "its model no longer has it");
    }

    @Override
    String name(ExplainableModel model) {
        return DesiredState.versionsConfigMapName(model);
    }
}
