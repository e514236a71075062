package dev.explainable.serving.operator.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A model with one or more versions served by the Explainable Serving runtime. */
@Group(ExplainableModel.GROUP)
@Version(ExplainableModel.VERSION)
@ShortNames("em")
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp",
        type = AdditionalPrinterColumn.Type.DATE)
public class ExplainableModel extends CustomResource<ExplainableModelSpec, ExplainableModelStatus>
        implements Namespaced {

    public static final String GROUP = "serving.explainable.dev";
    public static final String VERSION = "v1alpha1";

    public ExplainableModel() {
    }

    public ExplainableModel(String name, ExplainableModelSpec spec) {
        getMetadata().setName(name);
        setSpec(spec);
    }
}
