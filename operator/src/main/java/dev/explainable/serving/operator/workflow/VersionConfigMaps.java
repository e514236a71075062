package dev.explainable.serving.operator.workflow;

import io.fabric8.kubernetes.api.model.ConfigMap;

import dev.explainable.serving.operator.api.ExplainableModel;
import dev.explainable.serving.operator.dependent.DesiredConfigMap;
import dev.explainable.serving.operator.dependent.DesiredState;

/** Each version's ConfigMap ({@link DesiredConfigMap#of}); a removed version's goes. */
public class VersionConfigMaps extends VersionObjects<ConfigMap> {

    public VersionConfigMaps() {
        super(ConfigMap.class, "its version was removed");
    }

    /** Not the model's versions ConfigMap ({@link VersionsConfigMap}). */
    @Override
    boolean manages(ExplainableModel model, ConfigMap object) {
        return !object.getMetadata().getName().equals(DesiredState.versionsConfigMapName(model));
    }
}
