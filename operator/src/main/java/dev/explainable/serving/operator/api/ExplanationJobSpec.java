package dev.explainable.serving.operator.api;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** What an {@link ExplanationJob} explains, where it reads and writes, how wide it runs. Immutable but for cancel. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
        value = "self.model == oldSelf.model && self.inputConfig == oldSelf.inputConfig"
                + " && self.outputConfig == oldSelf.outputConfig"
                + " && has(self.generateExplanation) == has(oldSelf.generateExplanation)"
                + " && (!has(self.generateExplanation) || self.generateExplanation == oldSelf.generateExplanation)"
                + " && has(self.parallelism) == has(oldSelf.parallelism)"
                + " && (!has(self.parallelism) || self.parallelism == oldSelf.parallelism)"
                + " && has(self.resources) == has(oldSelf.resources)"
                + " && (!has(self.resources) || self.resources == oldSelf.resources)"
                + " && has(self.explanationSpec) == has(oldSelf.explanationSpec)"
                + " && (!has(self.explanationSpec) || self.explanationSpec == oldSelf.explanationSpec)"
                + " && has(self.instanceConfig) == has(oldSelf.instanceConfig)"
                + " && (!has(self.instanceConfig) || self.instanceConfig == oldSelf.instanceConfig)"
                + " && has(self.batchSize) == has(oldSelf.batchSize)"
                + " && (!has(self.batchSize) || self.batchSize == oldSelf.batchSize)"
                + " && has(self.storage) == has(oldSelf.storage)"
                + " && (!has(self.storage) || self.storage == oldSelf.storage)",
        message = "an ExplanationJob's spec cannot change after creation, except cancel",
        reason = "FieldValueForbidden")
@ValidationRule(
        value = "!has(oldSelf.cancel) || !oldSelf.cancel || (has(self.cancel) && self.cancel)",
        message = "a cancelled job stays cancelled (create a new one)",
        reason = "FieldValueForbidden")
@ValidationRule(
        value = "!has(self.parallelism) || !has(self.parallelism.pods) || !has(self.parallelism.shards)"
                + " || self.parallelism.pods <= self.parallelism.shards",
        message = "parallelism.pods cannot exceed parallelism.shards",
        reason = "FieldValueInvalid")
@ValidationRule(
        value = "!has(self.explanationSpec) || !has(self.generateExplanation) || self.generateExplanation",
        message = "explanationSpec can be given only with generateExplanation true (Vertex's rule)",
        reason = "FieldValueInvalid")
@ValidationRule(
        value = "!has(self.explanationSpec) || !has(self.explanationSpec.parameters)"
                + " || !has(self.explanationSpec.parameters.examples)",
        message = "example-based explanations are online only (as on Vertex): give the job an attribution method",
        reason = "FieldValueInvalid")
@ValidationRule(
        value = "!has(self.instanceConfig) || self.inputConfig.instancesFormat in ['jsonl', 'csv']",
        message = "instanceConfig applies to jsonl and csv instances; file-list and tf-record instances are"
                + " {\"b64\": ...}",
        reason = "FieldValueInvalid")
public class ExplanationJobSpec {

    public static final String JSONL = "jsonl";
    public static final String CSV = "csv";
    public static final String FILE_LIST = "file-list";
    public static final String TF_RECORD = "tf-record";
    public static final String TF_RECORD_GZIP = "tf-record-gzip";

    @Required
    @JsonPropertyDescription("The model: an ExplainableModel (in the job's namespace) and optionally its version,"
            + " whose modelUri, explanation, metadata, resources and storage are the job's; or a modelUri of the"
            + " job's own (Vertex's unmanagedContainerModel), explained as explanationSpec says.")
    public ModelRef model;

    @Required
    @JsonPropertyDescription("The instances: files and their format (Vertex's inputConfig).")
    public InputConfig inputConfig;

    @Required
    @JsonPropertyDescription("Where the results go (Vertex's outputConfig; jsonl).")
    public OutputConfig outputConfig;

    @Default("true")
    @JsonPropertyDescription("Explain each instance (explanation.results-* files); false: predictions only"
            + " (prediction.results-*). Default true.")
    public Boolean generateExplanation = true;

    @JsonPropertyDescription("Overrides the model's explanation field by field (Vertex's BatchPredictionJob"
            + " explanationSpec): parameters (the method and its step or path count) and metadata, each replacing"
            + " the version's where given. With model.modelUri, the job's explanation: default integratedGradients"
            + " with 50 steps, the metadata file in the model folder.")
    public VertexExplanationSpec explanationSpec;

    @JsonPropertyDescription("How jsonl and csv lines become instances (Vertex's instanceConfig).")
    public InstanceConfig instanceConfig;

    @Min(1)
    @Max(1000)
    @JsonPropertyDescription("Instances explained in one call of the model (Vertex's"
            + " manualBatchTuningParameters.batchSize); default 8. Four calls run at once, their TensorFlow runs"
            + " shared.")
    public Integer batchSize;

    @JsonPropertyDescription("How the pods read the model and the input and write the output: as an ExplainableModel's"
            + " spec.storage (ServiceAccount, credentials Secret, endpoints). Default: the model's.")
    public StorageSpec storage;

    @JsonPropertyDescription("Shards (the Job's indexes) and how many run at once.")
    public Parallelism parallelism;

    @JsonPropertyDescription("Compute resources of each shard's pod; default the model version's.")
    public ResourcesSpec resources;

    @JsonPropertyDescription("true: stop the job (its Job is suspended, its pods deleted); what was written stays."
            + " Cannot be undone.")
    public Boolean cancel;

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @ValidationRule(
            value = "has(self.name) != has(self.modelUri)",
            message = "name the model once: name (an ExplainableModel) or modelUri (a SavedModel folder)",
            reason = "FieldValueInvalid")
    @ValidationRule(
            value = "!has(self.version) || has(self.name)",
            message = "version names a version of the ExplainableModel in name",
            reason = "FieldValueInvalid")
    public static class ModelRef {
        @Size(min = 1, max = 63)
        @JsonPropertyDescription("The ExplainableModel's name.")
        public String name;

        @JsonPropertyDescription("One of its versions; default the model's defaultVersion.")
        public String version;

        @Pattern("^(gs|s3|pvc|https?)://.+$")
        @Size(max = 2048)
        @JsonPropertyDescription("Instead of name: the SavedModel folder (gs://, s3://, pvc://<claim>/<path>,"
                + " http(s):// archive), read with spec.storage; the job's explanationSpec explains it.")
        public String modelUri;
    }

    /** Vertex's {@code instanceConfig}: which fields of an instance the model is given, and a key to find it by. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @ValidationRule(
            value = "!has(self.includedFields) || !has(self.excludedFields)",
            message = "give includedFields or excludedFields, not both",
            reason = "FieldValueInvalid")
    public static class InstanceConfig {
        @Pattern("^(object|array)$")
        @JsonPropertyDescription("object or array: what each instance is made into (default: csv rows arrays,"
                + " jsonl lines as written).")
        public String instanceType;

        @Size(min = 1, max = 256)
        @JsonPropertyDescription(
                "A field written as the results line's key instead of the instance; not given to" + " the model.")
        public String keyField;

        @Size(max = 1000)
        @JsonPropertyDescription("Only these fields, in this order.")
        public List<@Size(min = 1, max = 256) String> includedFields;

        @Size(max = 1000)
        @JsonPropertyDescription("Every field but these.")
        public List<@Size(min = 1, max = 256) String> excludedFields;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @ValidationRule(
            value = "self.uris.all(u, !u.matches('^pvc://[^/]*(/.*)?/[.][.](/.*)?$'))",
            message = "a pvc:// input must not contain '..' segments",
            reason = "FieldValueInvalid")
    public static class InputConfig {
        @Required
        @Size(min = 1, max = 100)
        @JsonPropertyDescription("Input files: gs:// or s3:// URIs (read with the job's storage), or"
                + " pvc://<claim>/<path> (the claim mounted read-only); * and ? wildcards in the last segment.")
        public List<@Pattern("^((gs|s3)://.+|pvc://[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?/.+)$") @Size(max = 2048) String>
                uris = new ArrayList<>();

        @Required
        @Pattern("^(jsonl|csv|file-list|tf-record|tf-record-gzip)$")
        @JsonPropertyDescription("jsonl (one instance a line), csv (a header line first), file-list (one file URI"
                + " a line, each file an instance {\"b64\": ...}), tf-record or tf-record-gzip (each record an"
                + " instance {\"b64\": ...}).")
        public String instancesFormat;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @ValidationRule(
            value = "!self.outputUriPrefix.matches('^pvc://[^/]*(/.*)?/[.][.](/.*)?$')",
            message = "a pvc:// output folder must not contain '..' segments",
            reason = "FieldValueInvalid")
    public static class OutputConfig {
        @Required
        @Pattern("^((gs|s3)://[a-z0-9][a-z0-9._-]{1,221}[a-z0-9]|pvc://[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?)(/.*)?$")
        @Size(max = 1024)
        @JsonPropertyDescription("gs://, s3:// or pvc://<claim>/<path> folder (the claim mounted writable); the job"
                + " writes into its sub-folder prediction-<model>-<creation time>/ (status.outputInfo).")
        public String outputUriPrefix;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Parallelism {
        @Min(1)
        @Max(1000)
        @JsonPropertyDescription("How many shards (indexes of the Job) share the input; default 1.")
        public Integer shards;

        @Min(1)
        @Max(1000)
        @JsonPropertyDescription("How many shards run at once; default min(shards, 4).")
        public Integer pods;
    }

    /** The shard count: {@code parallelism.shards}, default 1. */
    public int shards() {
        return parallelism == null || parallelism.shards == null ? 1 : parallelism.shards;
    }

    /** Pods at once: {@code parallelism.pods}, default min(shards, 4). */
    public int pods() {
        return parallelism == null || parallelism.pods == null ? Math.min(shards(), 4) : parallelism.pods;
    }

    public boolean cancelled() {
        return Boolean.TRUE.equals(cancel);
    }

    /** Whether the job names its own model URI instead of an ExplainableModel. */
    public boolean ownModel() {
        return model != null && model.modelUri != null;
    }

    public boolean explains() {
        return !Boolean.FALSE.equals(generateExplanation);
    }
}
