package dev.explainable.serving.operator.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A model with up to 16 versions served by the Explainable Serving runtime; it may have none (yet). */
@Group(ExplainableModel.GROUP)
@Version(ExplainableModel.VERSION)
@ShortNames("em")
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status")
@AdditionalPrinterColumn(name = "Reason", jsonPath = ".status.conditions[?(@.type==\"Ready\")].reason", priority = 1)
@AdditionalPrinterColumn(
        name = "Age",
        jsonPath = ".metadata.creationTimestamp",
        type = AdditionalPrinterColumn.Type.DATE)
// Services are named <model>-<version> and must be DNS-1035 labels (63 characters, a letter first); the API server
// would refuse them only when the operator creates them, so the model is refused up front
@ValidationRule(
        value = "self.metadata.name.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$')",
        message = "the model name must be a DNS-1035 label: lower-case letters, digits and '-', starting with a letter"
                + " (it names Services)",
        reason = "FieldValueInvalid")
@ValidationRule(
        value = "!has(self.spec) || !has(self.spec.versions)"
                + " || self.spec.versions.all(v, size(self.metadata.name) + size(v.name) <= 62)",
        message = "model name + '-' + version name must fit in 63 characters (they name the version's Service and"
                + " Deployment)",
        reason = "FieldValueInvalid")
public class ExplainableModel extends CustomResource<ExplainableModelSpec, ExplainableModelStatus>
        implements Namespaced {

    public static final String GROUP = "serving.explainable.dev";
    public static final String VERSION = "v1alpha1";

    public ExplainableModel() {}

    public ExplainableModel(String name, ExplainableModelSpec spec) {
        getMetadata().setName(name);
        setSpec(spec);
    }

    /** A resource written without a spec is a model without versions, as one with {@code spec: {}}. */
    @Override
    protected ExplainableModelSpec initSpec() {
        return new ExplainableModelSpec();
    }
}
