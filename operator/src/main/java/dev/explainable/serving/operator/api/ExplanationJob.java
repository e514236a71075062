package dev.explainable.serving.operator.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A batch explanation job, shaped after Vertex AI's BatchPredictionJob: an {@link ExplainableModel}'s version explains
 * every instance of the input files into Vertex's output layout, on one Kubernetes Indexed Job (a shard per index).
 */
@Group(ExplainableModel.GROUP)
@Version(ExplainableModel.VERSION)
@ShortNames("ej")
@AdditionalPrinterColumn(name = "State", jsonPath = ".status.state")
@AdditionalPrinterColumn(name = "Progress", jsonPath = ".status.progress")
@AdditionalPrinterColumn(
        name = "Age",
        jsonPath = ".metadata.creationTimestamp",
        type = AdditionalPrinterColumn.Type.DATE)
// it names the Job, whose name goes into its pods' job-name label and hostnames (<job>-<index>-<suffix>)
@ValidationRule(
        value = "self.metadata.name.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$') && size(self.metadata.name) <= 52",
        message = "the job name must be a DNS-1035 label of at most 52 characters (it names the Kubernetes Job)",
        reason = "FieldValueInvalid")
public class ExplanationJob extends CustomResource<ExplanationJobSpec, ExplanationJobStatus> implements Namespaced {

    public ExplanationJob() {}

    public ExplanationJob(String name, ExplanationJobSpec spec) {
        getMetadata().setName(name);
        setSpec(spec);
    }
}
